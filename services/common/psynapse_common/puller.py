"""A durable pull consumer that keeps exactly as many messages requested as it has free slots.

nats-py's ``fetch(batch=n)`` waits for the whole batch or its timeout, which costs
a job its latency; this keeps open pull requests of one message each, one per free
slot (FastStream's reservation pattern), and hands each message over the moment it
arrives. A runner never holds a job it has no slot for, so other runners take it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg

log = structlog.get_logger()

Handler = Callable[[Msg], Awaitable[None]]


class Puller:
    def __init__(
        self,
        nc: Client,
        stream: str,
        consumer: str,
        slots: int,
        handler: Handler,
        expires: float = 5.0,
    ) -> None:
        self._nc = nc
        self._next_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self._slots = slots
        self._handler = handler
        self._expires = expires
        self._busy = 0
        self._open: deque[float] = deque()  # deadlines of open one-message requests
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._inbox = nc.new_inbox()
        self._sub = None
        self._loop_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._sub = await self._nc.subscribe(self._inbox, cb=self._on_message)
        self._loop_task = asyncio.create_task(self._request_loop())

    def reset(self) -> None:
        """Forget open requests (the server lost them, e.g. after a reconnect)."""
        self._open.clear()
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return self._busy

    async def _on_message(self, msg: Msg) -> None:
        status = msg.headers.get("Status") if msg.headers else None
        if self._open:
            self._open.popleft()
        if status is not None and not msg.data:
            # 408 request expired / 409 consumer-side refusal / 100 heartbeat
            self._wake.set()
            return
        if self._stopping:
            await msg.nak()
            return
        self._busy += 1
        task = asyncio.create_task(self._run(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, msg: Msg) -> None:
        try:
            await self._handler(msg)
        except Exception:  # noqa: BLE001 - a handler bug must not stop the consumer
            log.exception("puller.handler_failed", subject=msg.subject)
        finally:
            self._busy -= 1
            self._wake.set()

    async def _request_loop(self) -> None:
        grace = 2.0
        while not self._stopping:
            now = time.monotonic()
            while self._open and self._open[0] + grace < now:
                self._open.popleft()  # its expiry notice was lost
            want = self._slots - self._busy - len(self._open)
            if want > 0 and self._nc.is_connected:
                request = json.dumps(
                    {"batch": 1, "expires": int(self._expires * 1e9)}
                ).encode()
                deadline = now + self._expires
                try:
                    for _ in range(want):
                        await self._nc.publish(self._next_subject, request, reply=self._inbox)
                        self._open.append(deadline)
                except Exception as exc:  # noqa: BLE001 - disconnected: retry on wake
                    log.warning("puller.request_failed", error=str(exc))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop asking for messages and let the ones in hand finish."""
        self._stopping = True
        self._wake.set()
        if self._loop_task:
            await asyncio.gather(self._loop_task, return_exceptions=True)
        if self._sub is not None:
            await self._sub.unsubscribe()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)
