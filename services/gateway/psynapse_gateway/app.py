"""The gateway app: ``create_app(settings)``; resources live on ``app.state``."""

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
from psynapse_common.settings import Settings
from psynapse_common.workflow_versions import WorkflowVersions

from .auth import token_guard
from .beats import LiveServices
from .catalog_api import CatalogController, CatalogSignal
from .editor import editor_routes
from .errors import exception_handlers
from .execute_api import ExecuteController
from .health_api import HealthController
from .history import History
from .limits import Limits
from .metrics_api import MetricsController
from .runs import RunService
from .runs_api import RunsController
from .workflows import WorkflowStore
from .workflows_api import WorkflowsController


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()

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
        app.state.nc = nc
        app.state.backbone = backbone
        app.state.catalog = catalog
        app.state.catalog_signal = signal
        app.state.live_services = LiveServices(backbone.services)
        await app.state.live_services.start()
        blobs = Blobs(backbone.blobs, settings.inline_value_limit)
        app.state.limits = Limits(settings)
        app.state.runs = RunService(
            nc,
            js,
            backbone.names,
            catalog,
            settings.secret_key,
            blobs,
            WorkflowVersions(js, backbone.names, settings.stream_replicas),
        )
        await app.state.runs.start()
        app.state.history = History(js, backbone.names, blobs)
        app.state.workflows = WorkflowStore(nc, js, backbone.names, settings.stream_replicas)
        await app.state.workflows.open()
        settle_heap()
        try:
            yield
        finally:
            signal.close()
            await app.state.live_services.stop()
            await catalog.stop()
            await wait_closed(nc)

    return Litestar(
        route_handlers=[
            Router(
                path="/",
                route_handlers=[ExecuteController, RunsController, WorkflowsController, CatalogController],
                guards=token_guard(settings.api_token),
            ),
            HealthController,
            MetricsController,
            *editor_routes(settings),
        ],
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
