"""The gateway app: ``create_app(settings)``; resources open in the lifespan, handlers get them injected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from psynapse_common.blobs import Blobs
from psynapse_common.catalog_watch import CatalogWatch
from psynapse_common.lifecycle import settle_heap
from psynapse_common.logs import litestar_logging
from psynapse_common.nats_io import connect, declare_backbone, wait_closed
from psynapse_common.saved_workflows import SavedWorkflows
from psynapse_common.settings import Settings

from .auth import token_guard
from .beats import LiveServices
from .catalog_api import CatalogController
from .catalog_live import CatalogSignal, PackReloader
from .deps import Resources, dependencies, stopping_of
from .editor import editor_routes
from .errors import exception_handlers
from .execute_api import ExecuteController
from .files_api import FilesController
from .follower import RunFollower
from .guards import RequestLimits, RunSlots
from .health_api import HealthController
from .history import History
from .limits import Limits
from .metrics_api import MetricsController
from .queues import Queues
from .records import RunRecords
from .runs_api import RunsController
from .submitter import RunSubmitter
from .workflows import WorkflowStore
from .workflows_api import WorkflowsController


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()
    limits = Limits(settings)
    run_slots = RunSlots(limits)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        nc = await connect(settings, "gateway")
        js = nc.jetstream()
        backbone = await declare_backbone(js, settings)
        catalog = CatalogWatch(backbone.schema, backbone.names.catalog_key)
        signal = CatalogSignal()
        catalog.on_change(signal.changed)
        await catalog.start()
        await catalog.wait_ready(within_s=10)
        live_services = LiveServices(backbone.services)
        await live_services.start()
        blobs = Blobs(backbone.blobs, settings.inline_value_limit)
        saved = SavedWorkflows(js, backbone.names, settings.stream_replicas)
        submitter = RunSubmitter(nc, backbone.names, catalog, settings.secret_key, saved)
        await submitter.start()
        follower = RunFollower(nc, js, backbone.names, blobs)
        await follower.start()
        workflows = WorkflowStore(nc, saved)
        await workflows.open()
        Resources(
            nc=nc,
            catalog=catalog,
            catalog_signal=signal,
            pack_reloader=PackReloader(nc, backbone.names, signal),
            live_services=live_services,
            queues=Queues(js, backbone.names),
            limits=limits,
            submitter=submitter,
            follower=follower,
            records=RunRecords(js, backbone.names, blobs),
            history=History(js, backbone.names, blobs),
            workflows=workflows,
            blobs=blobs,
            stopping=stopping_of(app.state),
        ).keep(app.state)
        settle_heap()
        try:
            yield
        finally:
            signal.close()
            await live_services.stop()
            await catalog.stop()
            await wait_closed(nc)

    return Litestar(
        route_handlers=[
            Router(
                path="/",
                route_handlers=[
                    ExecuteController,
                    RunsController,
                    WorkflowsController,
                    CatalogController,
                    FilesController,
                ],
                # In this order: no limit is told to a client without the token.
                guards=[*token_guard(settings.api_token), RequestLimits(limits, run_slots)],
                middleware=[run_slots],
            ),
            HealthController,
            MetricsController,
            *editor_routes(settings),
        ],
        dependencies=dependencies(),
        lifespan=[lifespan],
        cors_config=CORSConfig(
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials="*" not in settings.cors_origins,
            expose_headers=["X-Run-Id"],
        ),
        exception_handlers=exception_handlers(),
        openapi_config=OpenAPIConfig(
            title="Psynapse",
            version="0.1.0",
            description="Run node graphs of Python functions; follow them live over SSE.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        debug=False,
        logging_config=litestar_logging(),
        request_max_body_size=settings.max_body_bytes,
    )
