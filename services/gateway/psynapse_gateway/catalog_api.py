"""The catalog as clients see it: schemas, packs, and a push when it changes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import State
from litestar.response import ServerSentEvent, ServerSentEventMessage

from .docs import NodepacksBody
from .sse_response import SSE_HEADERS, until

_PING_S = 15.0


class CatalogSignal:
    """Wakes every /catalog/events client when the catalog changes."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self.revision = 0
        self.schema_json = b"[]"
        self.nodepacks_json = b'{"packs":[],"clashes":[]}'
        self.closed = False

    def changed(self, snapshot: Any) -> None:
        self.revision = snapshot.revision
        # Encoded once per change; every request serves these bytes.
        self.schema_json = msgspec.json.encode(snapshot.schemas)
        self.nodepacks_json = msgspec.json.encode({"packs": snapshot.packs, "clashes": snapshot.clashes})
        asyncio.ensure_future(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def close(self) -> None:
        self.closed = True
        asyncio.ensure_future(self._notify())

    async def wait(self) -> None:
        """Until the catalog changes (callers bound it with ``asyncio.timeout``)."""
        async with self._changed:
            await self._changed.wait()


class CatalogController(Controller):
    tags = ["catalog"]

    @get("/get_schema", summary="Every node's schema (spec §1)")
    async def get_schema(self, state: State) -> Response[list[dict[str, Any]]]:
        return Response(state.catalog_signal.schema_json, media_type="application/json")

    @get("/nodepacks", summary="Every nodepack with its status and load errors")
    async def get_nodepacks(self, state: State) -> Response[NodepacksBody]:
        return Response(state.catalog_signal.nodepacks_json, media_type="application/json")

    @get(
        "/catalog/events",
        summary="SSE: the catalog revision, again on every change",
        media_type="text/event-stream",
    )
    async def catalog_events(self, state: State) -> ServerSentEvent:
        signal: CatalogSignal = state.catalog_signal

        async def events() -> AsyncGenerator[ServerSentEventMessage, None]:
            seen = signal.revision
            yield ServerSentEventMessage(data=msgspec.json.encode({"revision": seen}).decode())
            while not signal.closed:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(_PING_S):
                        await signal.wait()
                if signal.revision != seen:
                    seen = signal.revision
                    yield ServerSentEventMessage(data=msgspec.json.encode({"revision": seen}).decode())
                else:
                    yield ServerSentEventMessage(comment="ping", data=None)

        return ServerSentEvent(until(state.get("stopping"), events()), headers=SSE_HEADERS)
