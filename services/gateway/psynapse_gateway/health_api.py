"""GET /health: NATS and every service's liveness (from their KV beats)."""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Response, get
from litestar.datastructures import State

from psynapse_common.messages import beat_decoder

from .docs import errors

_REQUIRED = ("schema", "orchestrator", "runner")
_STALE_S = 7.5  # beats come every 3 s


class HealthController(Controller):
    tags = ["health"]

    @get("/health", summary="Liveness of NATS and each service", responses=errors(503))
    async def health(self, state: State) -> Response[dict[str, Any]]:
        services: dict[str, list[dict[str, Any]]] = {name: [] for name in _REQUIRED}
        nats_ok = state.nc.is_connected
        if nats_ok:
            kv = state.backbone.services
            try:
                keys = await kv.keys()
            except Exception:  # noqa: BLE001 - an empty bucket raises NoKeysError
                keys = []
            now = time.time()
            for key in keys:
                entry = await kv.get(key)
                if not entry or not entry.value:
                    continue
                beat = beat_decoder.decode(entry.value)
                if now - beat.at > _STALE_S:
                    continue
                item = {"instance": beat.instance, "pid": beat.pid}
                if beat.pool:
                    item["pool"] = beat.pool
                services.setdefault(beat.service, []).append(item)
        services["gateway"] = [{"instance": "this", "pid": None}]
        ok = nats_ok and all(services[name] for name in _REQUIRED)
        body = {
            "status": "ok" if ok else "degraded",
            "nats": nats_ok,
            "catalog_revision": state.catalog.revision,
            "services": services,
        }
        return Response(body, status_code=200 if ok else 503)
