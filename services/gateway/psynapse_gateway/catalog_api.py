"""The catalog as clients see it: schemas, packs, and a push when it changes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import ServerSentEvent, ServerSentEventMessage

from .bodies import CatalogRevision, NodepacksReloaded, NodepacksResponse, NodeSchema
from .catalog_live import CatalogSignal, PackReloader
from .deps import Resources
from .sse_response import SSE_HEADERS, until

_PING_S = 15.0


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

    @post(
        "/nodepacks/reload",
        summary="Load every nodepack again now (as a change of a pack's files or an install does)",
        status_code=200,
        responses={200: _served(NodepacksReloaded, "The catalog the schema service published")},
    )
    async def reload_nodepacks(self, pack_reloader: NamedDependency[PackReloader]) -> Response[bytes]:
        return Response(await pack_reloader.reload(), media_type="application/json")

    @get(
        "/catalog/events",
        summary="SSE: the catalog revision, again on every change",
        media_type="text/event-stream",
    )
    async def catalog_events(self, resources: NamedDependency[Resources]) -> ServerSentEvent:
        signal = resources.catalog_signal

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

        return ServerSentEvent(until(resources.stopping, events()), headers=SSE_HEADERS)
