"""The live services, from the beats they put in KV: one watch, answered from memory.

/health and /metrics ask on every request. Listing the bucket each time (a consumer to
list the keys, then a get per key) costs a round trip per service and grows with the
cluster's load, and a listing that failed read as "no services at all".
"""

from __future__ import annotations

import asyncio
import time

import structlog
from msgspec import UNSET
from nats.js.kv import KeyValue

from psynapse_common.kv_follow import follow
from psynapse_common.messages import ServiceBeat, beat_decoder

from .bodies import ServiceInstance

log = structlog.get_logger()

# A service whose beats stopped for a few of their intervals is gone.
_STALE_S = 7.5
# How long the gateway waits for the first beats at start.
_FIRST_BEATS_S = 5.0
_GONE = ("DEL", "PURGE")


class LiveServices:
    def __init__(self, kv: KeyValue) -> None:
        self._kv = kv
        self._beats: dict[str, ServiceBeat] = {}
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(follow(self._kv, ">", self._apply, "beats"))
        try:
            async with asyncio.timeout(_FIRST_BEATS_S):
                await self._ready.wait()
        except TimeoutError:
            log.warning("beats.not_ready", waited_s=_FIRST_BEATS_S)  # /health says degraded until they come

    def now(self) -> dict[str, list[ServiceInstance]]:
        """Service name -> its live instances: those whose last beat is a few intervals old at most."""
        services: dict[str, list[ServiceInstance]] = {}
        oldest = time.time() - _STALE_S
        for beat in self._beats.values():
            if beat.at < oldest:
                continue
            item = ServiceInstance(
                instance=beat.instance,
                pid=beat.pid,
                pool=beat.pool or UNSET,
                stuck_threads=beat.stuck_threads if beat.service == "runner" else UNSET,
            )
            services.setdefault(beat.service, []).append(item)
        return services

    def _apply(self, entry: KeyValue.Entry | None) -> None:
        if entry is None:  # every beat already stored has been read
            self._ready.set()
        elif entry.operation in _GONE or not entry.value:
            self._beats.pop(entry.key, None)
        else:
            self._beats[entry.key] = beat_decoder.decode(entry.value)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
