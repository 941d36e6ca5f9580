"""A durable pull consumer that keeps exactly as many messages requested as it has free slots.

Pull requests stay open for as many messages as there are free slots, and each
message is handed over the moment it arrives (FastStream's reservation pattern,
nats.go's ``Consume`` accounting). A runner never holds a job it has no slot for,
so other runners take it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from .pull import Arrival, PullRequests

log = structlog.get_logger()

Handler = Callable[[Msg], Awaitable[None]]

# How long past its expiry a request may stay unaccounted for before it is dropped.
_GRACE_S = 2.0


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
        self._slots = slots
        self._handler = handler
        self._busy = 0
        self._holding: set[int] = set()  # the messages whose handlers hold a slot (by id)
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._inbox = nc.new_inbox()
        self._requests = PullRequests(nc, stream, consumer, self._inbox, expires)
        self._sub: Subscription | None = None
        self._loop_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._sub = await self._nc.subscribe(self._inbox, cb=self._on_message)
        self._loop_task = asyncio.create_task(self._request_loop())

    def reset(self) -> None:
        """Forget open requests (the server lost them, e.g. after a reconnect)."""
        self._requests.forget()
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return self._busy

    async def _on_message(self, msg: Msg) -> None:
        if self._requests.arrived(msg) is not Arrival.MESSAGE:
            self._wake.set()
            return
        if self._stopping:
            await msg.nak()
            return
        self._busy += 1
        self._holding.add(id(msg))
        task = asyncio.create_task(self._run(msg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, msg: Msg) -> None:
        try:
            await self._handler(msg)
        except Exception:
            log.exception("puller.handler_failed", subject=msg.subject)
        finally:
            self.release(msg)

    def release(self, msg: Msg) -> None:
        """The handler of ``msg`` goes on without its slot: another message may come.

        For work bounded elsewhere (a runner's awaited nodes, by their own limit); called
        again when the handler returns, it does nothing.
        """
        if id(msg) not in self._holding:
            return
        self._holding.discard(id(msg))
        self._busy -= 1
        if self._wanted():
            self._wake.set()

    def _wanted(self) -> int:
        """How many messages to ask for now; 0 while not worth a request."""
        owed = self._requests.owed
        want = self._slots - self._busy - owed
        # Top up in halves, not one message at a time: a busy consumer then
        # sends one pull request per several messages, not one per message.
        # An idle one tops up fully, so a burst finds every slot requested.
        worth_asking = want > 0 and (owed == 0 or self._busy == 0 or want * 2 >= self._slots)
        return want if worth_asking else 0

    async def _request_loop(self) -> None:
        requests = self._requests
        while not self._stopping:
            requests.expire(_GRACE_S)
            want = self._wanted()
            if want and self._nc.is_connected:
                try:
                    await requests.ask(want)
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
