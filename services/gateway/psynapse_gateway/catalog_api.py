"""The catalog as clients see it: schemas, packs, and a push when it changes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, ServiceUnavailableException
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import ServerSentEvent, ServerSentEventMessage
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError

from psynapse_common.messages import CatalogSnapshot
from psynapse_common.subjects import Names

from .bodies import CatalogRevision, NodepacksReloaded, NodepacksResponse, NodeSchema
from .sse_response import SSE_HEADERS, until

_PING_S = 15.0
# Importing every pack again may take a while (packs that import large libraries).
_RELOAD_TIMEOUT_S = 120.0
# After the schema service answered, how long this gateway waits to see what it published.
_SEEN_WITHIN_S = 10.0


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

    async def reached(self, revision: int, within_s: float) -> None:
        """Until this gateway serves ``revision`` (or a later one), for at most ``within_s``."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within_s), self._changed:
                await self._changed.wait_for(lambda: self.revision >= revision or self.closed)


class PackReloader:
    """Asks the schema service to load the nodepacks again, and waits to serve the result."""

    def __init__(self, nc: Client, names: Names, signal: CatalogSignal) -> None:
        self._nc = nc
        self._names = names
        self._signal = signal

    async def reload(self) -> bytes:
        try:
            reply = await self._nc.request(self._names.catalog_reload, b"", timeout=_RELOAD_TIMEOUT_S)
        except NoRespondersError:
            raise ServiceUnavailableException("no schema service is running to reload the nodepacks") from None
        except NatsTimeoutError:
            raise HTTPException(
                status_code=504, detail=f"the schema service did not finish reloading within {_RELOAD_TIMEOUT_S:.0f} s"
            ) from None
        answer = msgspec.json.decode(reply.data)
        if "error" in answer:
            raise HTTPException(status_code=500, detail=str(answer["error"]))
        # A client that reloads and then asks for /get_schema gets what was loaded.
        await self._signal.reached(int(answer["revision"]), _SEEN_WITHIN_S)
        return reply.data


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
