"""A durable pull consumer that keeps exactly as many messages requested as it has free slots.

nats-py's ``fetch(batch=n)`` waits for the whole batch or its timeout, which costs
a job its latency; this keeps pull requests open for as many messages as there are
free slots (FastStream's reservation pattern, nats.go's ``Consume`` accounting) and
hands each message over the moment it arrives. A runner never holds a job it has
no slot for, so other runners take it.
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
from nats.aio.subscription import Subscription

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
        self._open: deque[float] = deque()  # deadlines of open pull requests
        self._credit = 0  # messages the open requests may still deliver
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._inbox = nc.new_inbox()
        self._sub: Subscription | None = None
        self._loop_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._sub = await self._nc.subscribe(self._inbox, cb=self._on_message)
        self._loop_task = asyncio.create_task(self._request_loop())

    def reset(self) -> None:
        """Forget open requests (the server lost them, e.g. after a reconnect)."""
        self._open.clear()
        self._credit = 0
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return self._busy

    async def _on_message(self, msg: Msg) -> None:
        status = msg.headers.get("Status") if msg.headers else None
        if status is not None and not msg.data:
            # 408: a request expired, 409: the server ended it; either way its
            # undelivered messages are no longer coming.
            if status != "100" and self._open:
                self._open.popleft()
                unused = (msg.headers or {}).get("Nats-Pending-Messages")
                self._credit = max(0, self._credit - (int(unused) if unused else 0))
                if not self._open:
                    self._credit = 0
            self._wake.set()
            return
        self._credit = max(0, self._credit - 1)
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
        except Exception:
            log.exception("puller.handler_failed", subject=msg.subject)
        finally:
            self._busy -= 1
            self._wake.set()

    async def _request_loop(self) -> None:
        grace = 2.0
        while not self._stopping:
            now = time.monotonic()
            if self._open and self._open[0] + grace < now:
                self.reset()  # an expiry notice was lost: start the accounting afresh
            want = self._slots - self._busy - self._credit
            # Top up in halves, not one message at a time: a busy consumer then
            # sends one pull request per several messages, not one per message.
            # An idle one tops up fully, so a burst finds every slot requested.
            worth_asking = want > 0 and (self._credit == 0 or self._busy == 0 or want * 2 >= self._slots)
            if worth_asking and self._nc.is_connected:
                request = json.dumps({"batch": want, "expires": int(self._expires * 1e9)}).encode()
                try:
                    await self._nc.publish(self._next_subject, request, reply=self._inbox)
                    self._open.append(now + self._expires)
                    self._credit += want
                except Exception as exc:  # noqa: BLE001 - disconnected: retry on wake
                    log.warning("puller.request_failed", error=str(exc))
            self._wake.clear()
            try:
                # asyncio.timeout, not wait_for: no task per wake, and this wakes once per message.
                async with asyncio.timeout(1.0):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def stop(self, grace_s: float = 10.0) -> None:
        """Stop asking for messages and give the ones in hand ``grace_s`` to finish."""
        self._stopping = True
        self._wake.set()
        if self._loop_task:
            await asyncio.gather(self._loop_task, return_exceptions=True)
        if self._sub is not None:
            await self._sub.unsubscribe()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace_s)
