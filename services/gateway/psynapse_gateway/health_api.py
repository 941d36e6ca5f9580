"""GET /health: NATS, every service's liveness (from their KV beats), each runner pool's queue."""

from __future__ import annotations

import asyncio
import os

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from .bodies import Health, PoolQueue, ServiceInstance
from .deps import Resources
from .queues import runners_by_pool

_REQUIRED = ("schema", "orchestrator", "runner")
_POOLS_TIMEOUT_S = 2.0


class HealthController(Controller):
    tags = ["health"]

    @get(
        "/health",
        summary="Liveness of NATS and each service",
        responses={
            503: ResponseSpec(
                data_container=Health,
                description="Degraded: NATS or a required service (schema, orchestrator, runner) is missing",
                generate_examples=False,
            )
        },
    )
    async def health(self, resources: NamedDependency[Resources]) -> Response[Health]:
        services: dict[str, list[ServiceInstance]] = {name: [] for name in _REQUIRED}
        nats_ok = resources.nc.is_connected
        if nats_ok:
            for service, items in resources.live_services.now().items():
                services.setdefault(service, []).extend(items)
        services["gateway"] = [ServiceInstance(instance="this", pid=os.getpid())]
        ok = nats_ok and all(services[name] for name in _REQUIRED)
        body = Health(
            status="ok" if ok else "degraded",
            nats=nats_ok,
            catalog_revision=resources.catalog.revision,
            services=services,
            pools={},
        )
        if nats_ok:
            try:
                pools: dict[str, PoolQueue] = await asyncio.wait_for(
                    resources.queues.pools(runners_by_pool(services)), _POOLS_TIMEOUT_S
                )
                body.pools = pools
            except Exception as exc:  # noqa: BLE001 - JetStream busy or electing: liveness still answers
                body.pools_error = str(exc) or type(exc).__name__
        return Response(body, status_code=200 if ok else 503)
