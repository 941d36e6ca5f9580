"""What every service process shares: the event loop, signals, liveness beats."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
import uuid
from collections.abc import Awaitable, Callable

import structlog
from nats.js.kv import KeyValue

from .messages import ServiceBeat, encode

log = structlog.get_logger()


def run(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop_event)`` on uvloop; SIGTERM/SIGINT set the stop event."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    try:
        import uvloop

        uvloop.run(runner())
    except ImportError:
        asyncio.run(runner())


def instance_id(service: str) -> str:
    return f"{service}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Beat:
    """Puts a short-lived liveness record in KV so /health can list live services."""

    def __init__(self, kv: KeyValue, service: str, instance: str, pool: str | None = None) -> None:
        self._kv = kv
        self._record = ServiceBeat(
            service=service,
            instance=instance,
            pid=os.getpid(),
            started_at=time.time(),
            at=time.time(),
            pool=pool,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self, every: float = 3.0) -> None:
        await self._put()
        self._task = asyncio.create_task(self._loop(every))

    async def _put(self) -> None:
        self._record.at = time.time()
        key = self._record.instance.replace(".", "_")
        await self._kv.put(key, encode(self._record))

    async def _loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self._put()
            except Exception as exc:  # noqa: BLE001 - NATS may be restarting; beat again later
                log.warning("beat.failed", error=str(exc))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        try:
            await self._kv.delete(self._record.instance.replace(".", "_"))
        except Exception:  # noqa: BLE001 - best effort on the way out; the TTL cleans up
            pass
