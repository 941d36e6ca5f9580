"""GET /metrics: Prometheus text for the gateway and the queues behind it (see ``metrics``)."""

from __future__ import annotations

import asyncio

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .deps import Resources
from .metrics import SCRAPE_ERRORS, read_queues

_READ_TIMEOUT_S = 2.0


class MetricsController(Controller):
    tags = ["health"]

    @get("/metrics", summary="Prometheus metrics", media_type=CONTENT_TYPE_LATEST, include_in_schema=False)
    async def metrics(self, resources: NamedDependency[Resources]) -> Response[bytes]:
        try:
            await asyncio.wait_for(read_queues(resources.queues, resources.live_services), _READ_TIMEOUT_S)
        except Exception:  # noqa: BLE001 - NATS busy or electing: the counters still answer
            SCRAPE_ERRORS.inc()
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
