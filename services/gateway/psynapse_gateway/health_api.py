"""GET /health: NATS, every service's liveness (from their KV beats), each runner pool's queue."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State

from .docs import errors
from .queues import pool_queues, runners_by_pool

_REQUIRED = ("schema", "orchestrator", "runner")
_POOLS_TIMEOUT_S = 2.0


class HealthController(Controller):
    tags = ["health"]

    @get("/health", summary="Liveness of NATS and each service", responses=errors(503))
    async def health(self, state: State) -> Response[dict[str, Any]]:
        services: dict[str, list[dict[str, Any]]] = {name: [] for name in _REQUIRED}
        nats_ok = state.nc.is_connected
        if nats_ok:
            for service, items in state.live_services.now().items():
                services.setdefault(service, []).extend(items)
        services["gateway"] = [{"instance": "this", "pid": os.getpid()}]
        ok = nats_ok and all(services[name] for name in _REQUIRED)
        body: dict[str, Any] = {
            "status": "ok" if ok else "degraded",
            "nats": nats_ok,
            "catalog_revision": state.catalog.revision,
            "services": services,
            "pools": {},
        }
        if nats_ok:
            runners = runners_by_pool(services)
            try:
                body["pools"] = await asyncio.wait_for(
                    pool_queues(state.backbone.js, state.backbone.names, runners), _POOLS_TIMEOUT_S
                )
            except Exception as exc:  # noqa: BLE001 - JetStream busy or electing: liveness still answers
                body["pools_error"] = str(exc) or type(exc).__name__
        return Response(body, status_code=200 if ok else 503)
