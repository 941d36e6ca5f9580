"""SSE responses: the headers proxies and the spec want, one event per message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar.response import ServerSentEvent, ServerSentEventMessage

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse(
    events: AsyncIterator[tuple[int | None, dict[str, Any]]], headers: dict[str, str] | None = None
) -> ServerSentEvent:
    async def messages() -> AsyncIterator[ServerSentEventMessage]:
        async for sequence, body in events:
            yield ServerSentEventMessage(data=msgspec.json.encode(body).decode(), id=sequence)

    return ServerSentEvent(messages(), headers={**SSE_HEADERS, **(headers or {})})
