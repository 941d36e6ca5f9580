"""What every service process shares: the event loop, signals, liveness beats."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import structlog
from nats.js.kv import KeyValue

from .messages import ServiceBeat, encode

log = structlog.get_logger()


# A graceful stop that takes longer than this (NATS gone, a node that never
# returns) ends with a hard exit: a stopped service must never linger.
STOP_GRACE_S = 20.0


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
    collection walks every module, class and route the process loaded: in the
    gateway that stalled the process 45-70 ms, every request in flight with it,
    about once every 700 runs under load.
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

    async def start(self, every: float = 3.0) -> None:
        await self._put()
        self._task = asyncio.create_task(self._loop(every))

    async def _put(self) -> None:
        self._record.at = time.time()
        key = self._record.instance.replace(".", "_")
        await self._kv.put(key, encode(self._record))
        self.last_ok = self._record.at

    last_ok: float = 0.0  # when a beat last reached NATS: the health probes' answer

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
        # Best effort on the way out; the TTL cleans up.
        with contextlib.suppress(Exception):
            await self._kv.delete(self._record.instance.replace(".", "_"))


# How every HTTP service is served; the bench's in-process baseline uses the same,
# so its figures differ from ours only in how a graph runs.
HTTP_SERVER_OPTIONS: dict[str, Any] = {
    "http": "httptools",
    "ws": "none",
    "access_log": False,
    "log_config": None,
    "server_header": False,
    "backlog": 2048,
}


def serve_asgi(factory: Callable[[], Any], host: str, port: int) -> None:
    """Serve an ASGI app factory with uvicorn (httptools) on this process's own loop.

    Why uvicorn and not granian: granian's Rust I/O threads hand every request to the
    Python loop and back across threads. On our 2-core target that hand-off was the
    largest cost of a request: a bare ASGI answer took 0.46 ms of CPU under granian and
    0.20 ms under uvicorn+httptools, and the gateway's share of a whole run fell from
    ~1.2 to ~0.9 ms (measured side by side with the same client).
    """
    import uvicorn

    class _Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            # run() owns SIGTERM/SIGINT: they set the stop event that ends serving.
            yield

    async def main(stop: asyncio.Event) -> None:
        app = factory()
        # Long-lived responses (SSE) end when this is set, so they never hold a stop up.
        app.state.stopping = stop
        server = _Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                loop="none",  # ours: uvloop, set up by run()
                lifespan="on",
                timeout_graceful_shutdown=5,
                **HTTP_SERVER_OPTIONS,
            )
        )
        serving = asyncio.create_task(server.serve())
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if serving in done:
            stopped.cancel()
            serving.result()  # a startup failure surfaces here
            if not server.started:
                raise SystemExit(f"could not serve HTTP on {host}:{port}")
            return
        server.should_exit = True
        await serving

    run(main)
