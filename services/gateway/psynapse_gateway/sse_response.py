"""SSE responses: the headers proxies and the spec want, one event per message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, TypeVar

import msgspec
from litestar.response import ServerSentEvent, ServerSentEventMessage

T = TypeVar("T")

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

# (event id or None, the spec's event object), as the translator makes them.
SseEvents = AsyncGenerator[tuple[int | None, dict[str, Any]], None]


def sse(
    events: SseEvents,
    headers: dict[str, str] | None = None,
    stopping: asyncio.Event | None = None,
) -> ServerSentEvent:
    async def messages() -> AsyncIterator[ServerSentEventMessage]:
        async for sequence, body in until(stopping, events):
            yield ServerSentEventMessage(data=msgspec.json.encode(body).decode(), id=sequence)

    return ServerSentEvent(messages(), headers={**SSE_HEADERS, **(headers or {})})


async def single(body: dict[str, Any]) -> SseEvents:
    """A stream of one event with no id (a run refused before it started)."""
    yield None, body


async def until(stopping: asyncio.Event | None, items: AsyncGenerator[T, None]) -> AsyncIterator[T]:
    """``items`` until the gateway stops: an open stream must not hold a shutdown up.

    The client reconnects (with Last-Event-ID) to whichever gateway answers next.
    """
    if stopping is None:
        async for item in items:
            yield item
        return
    stopped = asyncio.ensure_future(stopping.wait())
    following: asyncio.Future[T] | None = None
    try:
        while True:
            following = asyncio.ensure_future(anext(items))
            await asyncio.wait({following, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                return
            try:
                item = following.result()
            except StopAsyncIteration:
                return
            following = None
            yield item
    finally:
        stopped.cancel()
        # A client that goes away (a closed tab) cancels us while ``anext(items)`` runs
        # as a task of its own: that task must be over before ``items`` can be closed.
        if following is not None and not following.done():
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
        await items.aclose()
