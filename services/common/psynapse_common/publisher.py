"""JetStream publishes that do not wait: acks are matched to futures by a token.

nats-py's ``publish_async`` draws random bytes, a semaphore slot and a fresh
future per message; a counter token and one wildcard reply subscription do the
same job for a fraction of the CPU, which is what run throughput is made of.
Acks that never come (a connection lost mid-flight) fail their futures after a
timeout, so a caller confirming a batch never waits forever.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg


class PublishError(RuntimeError):
    pass


_ack_decoder = msgspec.json.Decoder()


class AckedPublisher:
    def __init__(self, nc: Client, ack_timeout: float = 15.0) -> None:
        self._nc = nc
        self._prefix = nc.new_inbox() + "."
        self._counter = 0
        self._pending: OrderedDict[str, tuple[float, asyncio.Future[None]]] = OrderedDict()
        self._ack_timeout = ack_timeout
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._nc.subscribe(self._prefix + "*", cb=self._on_ack)
        self._sweeper = asyncio.create_task(self._sweep())

    async def publish(
        self, subject: str, payload: bytes, headers: dict[str, str] | None = None
    ) -> asyncio.Future[None]:
        self._counter += 1
        token = str(self._counter)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending[token] = (time.monotonic(), future)
        await self._nc.publish(subject, payload, reply=self._prefix + token, headers=headers)
        return future

    async def _on_ack(self, msg: Msg) -> None:
        entry = self._pending.pop(msg.subject[len(self._prefix):], None)
        if entry is None or entry[1].done():
            return
        future = entry[1]
        if not msg.data:
            future.set_exception(PublishError("no stream stored the message (no responders)"))
            return
        if b'"error"' in msg.data:
            error = _ack_decoder.decode(msg.data).get("error", {})
            future.set_exception(PublishError(str(error.get("description", error))))
            return
        future.set_result(None)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._ack_timeout / 3)
            cutoff = time.monotonic() - self._ack_timeout
            while self._pending:
                token, (sent_at, future) = next(iter(self._pending.items()))
                if sent_at > cutoff:
                    break
                del self._pending[token]
                if not future.done():
                    future.set_exception(PublishError("no ack from JetStream in time"))

    async def stop(self) -> None:
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
