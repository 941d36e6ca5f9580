"""JetStream publishes that do not wait: acks are matched to futures by a token.

nats-py's ``publish_async`` draws random bytes, a semaphore slot and a fresh
future per message; a counter token and one wildcard reply subscription do the
same job for a fraction of the CPU, which is what run throughput is made of.

A stream without a leader (a NATS node died, an election runs for a few
seconds) answers "no responders" or 503: the message was certainly not stored,
so it is sent again with a growing pause until the stream answers or
``retry_for`` runs out. An ack that never comes leaves the message's fate
unknown, so every message carries a ``Nats-Msg-Id`` (its own, or one made from
the publisher's inbox and the token) and is sent again: the stream drops the
copy if the first one was stored. Futures fail only when the retries are spent,
so a caller confirming a batch never waits forever.
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
_FIRST_PAUSE_S = 0.1
_LONGEST_PAUSE_S = 1.0


class _Sent:
    __slots__ = ("subject", "payload", "headers", "future", "first_at", "sent_at", "pause")

    def __init__(
        self, subject: str, payload: bytes, headers: dict[str, str] | None, future: asyncio.Future[None]
    ) -> None:
        self.subject = subject
        self.payload = payload
        self.headers = headers
        self.future = future
        self.first_at = self.sent_at = time.monotonic()
        self.pause = _FIRST_PAUSE_S


class AckedPublisher:
    def __init__(self, nc: Client, ack_timeout: float = 10.0, retry_for: float = 60.0) -> None:
        self._nc = nc
        self._prefix = nc.new_inbox() + "."
        self._counter = 0
        self._pending: OrderedDict[str, _Sent] = OrderedDict()
        self._ack_timeout = ack_timeout
        self._retry_for = retry_for
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
        if headers is None:
            headers = {"Nats-Msg-Id": self._prefix + token}
        self._pending[token] = _Sent(subject, payload, headers, future)
        await self._nc.publish(subject, payload, reply=self._prefix + token, headers=headers)
        return future

    async def _on_ack(self, msg: Msg) -> None:
        token = msg.subject[len(self._prefix):]
        sent = self._pending.pop(token, None)
        if sent is None or sent.future.done():
            return
        if not msg.data:
            self._again(token, sent, "no stream stored the message (no responders)")
            return
        if b'"error"' in msg.data:
            error = _ack_decoder.decode(msg.data).get("error", {})
            reason = str(error.get("description", error))
            if error.get("code") == 503:
                self._again(token, sent, reason)
            else:
                sent.future.set_exception(PublishError(reason))
            return
        sent.future.set_result(None)

    def _again(self, token: str, sent: _Sent, reason: str) -> None:
        """Send once more after a pause, or fail the future when time is up."""
        if time.monotonic() - sent.first_at > self._retry_for:
            sent.future.set_exception(PublishError(f"{reason}; gave up after {self._retry_for:.0f} s"))
            return
        pause, sent.pause = sent.pause, min(sent.pause * 2, _LONGEST_PAUSE_S)
        asyncio.get_running_loop().call_later(pause, lambda: asyncio.ensure_future(self._resend(token, sent)))

    async def _resend(self, token: str, sent: _Sent) -> None:
        if sent.future.done():
            return
        sent.sent_at = time.monotonic()
        self._pending[token] = sent
        try:
            await self._nc.publish(sent.subject, sent.payload, reply=self._prefix + token, headers=sent.headers)
        except Exception:  # noqa: BLE001 - reconnecting: the sweep sends it again
            pass

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._ack_timeout / 3)
            cutoff = time.monotonic() - self._ack_timeout
            while self._pending:
                token, sent = next(iter(self._pending.items()))
                if sent.sent_at > cutoff:
                    break
                del self._pending[token]
                if not sent.future.done():
                    self._again(token, sent, "no ack from JetStream in time")

    async def stop(self) -> None:
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
