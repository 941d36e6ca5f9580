"""The schema service's HTTP face: GET /get_schema, GET /nodepacks, GET /health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Response, get
from litestar.datastructures import State

from psynapse_common.lifecycle import Beat, instance_id
from psynapse_common.logs import litestar_logging
from psynapse_common.nats_io import connect, declare_backbone, wait_closed
from psynapse_common.settings import Settings

from .catalog import CatalogPublisher

JSON = "application/json"


@get("/get_schema", media_type=JSON)
async def get_schema(state: State) -> Response[bytes]:
    return Response(state.publisher.schema_json, media_type=JSON)


@get("/nodepacks", media_type=JSON)
async def get_nodepacks(state: State) -> Response[bytes]:
    return Response(state.publisher.nodepacks_json, media_type=JSON)


@get("/health")
async def health(state: State) -> dict:
    snapshot = state.publisher.snapshot
    return {
        "status": "ok" if state.nc.is_connected else "degraded",
        "nats": state.nc.is_connected,
        "revision": snapshot.revision if snapshot else None,
    }


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        nc = await connect(settings, "schema")
        backbone = await declare_backbone(nc.jetstream(), settings)
        publisher = CatalogPublisher(
            settings.nodepacks_dir.resolve(),
            backbone.schema,
            backbone.names.catalog_key,
            backbone.names.pool_catalogs,
            backbone.services,
        )
        await publisher.reload()
        await publisher.start_watching()
        await nc.subscribe(backbone.names.catalog_reload, cb=publisher.on_reload_request)
        beat = Beat(backbone.services, "schema", instance_id("schema"))
        await beat.start()
        app.state.nc = nc
        app.state.publisher = publisher
        try:
            yield
        finally:
            await publisher.stop()
            await beat.stop()
            await wait_closed(nc)

    return Litestar(
        route_handlers=[get_schema, get_nodepacks, health],
        lifespan=[lifespan],
        openapi_config=None,
        logging_config=litestar_logging(),
    )
