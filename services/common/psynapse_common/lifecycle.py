"""What every service process shares: its event loop and signals, its liveness beats."""

from __future__ import annotations

import asyncio
import contextlib
import gc
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


# A graceful stop that takes longer than this (NATS gone, a node that never
# returns) ends with a hard exit: a stopped service must never linger.
STOP_GRACE_S = 20.0
# Exit status of a service that stopped to be started afresh (EX_TEMPFAIL): a runner
# with too many stuck threads. `psynapse up` restarts it, as it restarts any that exits.
EXIT_RESTART = 75


def run(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop_event)`` on uvloop; SIGTERM/SIGINT set the stop event.

    A second signal, or a stop that outlasts STOP_GRACE_S, exits at once.
    """

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            if stop.is_set():
                os._exit(1)
            stop.set()
            loop.call_later(STOP_GRACE_S, os._exit, 1)

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal)
        await main(stop)

    try:
        import uvloop

        uvloop.run(runner())
    except ImportError:
        asyncio.run(runner())


def settle_heap() -> None:
    """Call once a service is up: what start-up built lives as long as the process.

    Frozen, it is left out of every later collection. Otherwise each full
    collection walks every module, class and route the process loaded, and stalls
    every request in flight with it (it shows in the bench's p99 latencies).
    """
    gc.collect()
    gc.freeze()


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
        self._now: asyncio.Future[None] | None = None

    async def start(self, every: float = 3.0) -> None:
        await self._put()
        self._task = asyncio.create_task(self._loop(every))

    async def _put(self) -> None:
        self._record.at = time.time()
        key = self._record.instance.replace(".", "_")
        await self._kv.put(key, encode(self._record))
        self.last_ok = self._record.at

    last_ok: float = 0.0  # when a beat last reached NATS: the health probes' answer

    def set_stuck_threads(self, count: int) -> None:
        """A runner's stuck threads, told at once (not at the next beat)."""
        self._record.stuck_threads = count
        if self._task is not None:
            self._now = asyncio.ensure_future(self._put_quietly())

    async def _put_quietly(self) -> None:
        try:
            await self._put()
        except Exception as exc:  # noqa: BLE001 - NATS may be restarting; beat again later
            log.warning("beat.failed", error=str(exc))

    async def _loop(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self._put_quietly()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        # Best effort on the way out; the TTL cleans up.
        with contextlib.suppress(Exception):
            await self._kv.delete(self._record.instance.replace(".", "_"))
