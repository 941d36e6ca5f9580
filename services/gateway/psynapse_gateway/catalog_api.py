"""The catalog as clients see it: schemas, packs, and a push when it changes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import ServerSentEvent, ServerSentEventMessage

from psynapse_common.messages import CatalogSnapshot

from .bodies import CatalogRevision, NodepacksResponse, NodeSchema
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

    def changed(self, snapshot: CatalogSnapshot) -> None:
        self.revision = snapshot.revision
        # Encoded once per change, as the schema service published them (the spec fixes
        # /get_schema's shape); every request serves these bytes. NodeSchema and
        # NodepacksResponse describe them in the OpenAPI document.
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


def _served(body: Any, description: str) -> ResponseSpec:
    return ResponseSpec(data_container=body, description=description, generate_examples=False)


class CatalogController(Controller):
    tags = ["catalog"]

    @get(
        "/get_schema",
        summary="Every node's schema (spec §1)",
        responses={200: _served(list[NodeSchema], "The schema of every node")},
    )
    async def get_schema(self, catalog_signal: NamedDependency[CatalogSignal]) -> Response[bytes]:
        return Response(catalog_signal.schema_json, media_type="application/json")

    @get(
        "/nodepacks",
        summary="Every nodepack with its status and load errors",
        responses={200: _served(NodepacksResponse, "The packs and the names two packs define")},
    )
    async def get_nodepacks(self, catalog_signal: NamedDependency[CatalogSignal]) -> Response[bytes]:
        return Response(catalog_signal.nodepacks_json, media_type="application/json")

    @get(
        "/catalog/events",
        summary="SSE: the catalog revision, again on every change",
        media_type="text/event-stream",
    )
    async def catalog_events(
        self, catalog_signal: NamedDependency[CatalogSignal], stopping: NamedDependency[asyncio.Event | None]
    ) -> ServerSentEvent:
        signal = catalog_signal

        def revision(seen: int) -> ServerSentEventMessage:
            return ServerSentEventMessage(data=msgspec.json.encode(CatalogRevision(revision=seen)).decode())

        async def events() -> AsyncGenerator[ServerSentEventMessage, None]:
            seen = signal.revision
            yield revision(seen)
            while not signal.closed:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(_PING_S):
                        await signal.wait()
                if signal.revision != seen:
                    seen = signal.revision
                    yield revision(seen)
                else:
                    yield ServerSentEventMessage(comment="ping", data=None)

        return ServerSentEvent(until(stopping, events()), headers=SSE_HEADERS)
