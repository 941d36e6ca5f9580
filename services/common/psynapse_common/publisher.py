"""JetStream publishes that do not wait: acks are matched to futures by a token.

nats-py's ``publish_async`` draws random bytes, a semaphore slot and a fresh
future per message; a counter token and one wildcard reply subscription do the
same job for a fraction of the CPU, which is what run throughput is made of.

A stream without a leader (a NATS node died, an election runs for a few
seconds) answers "no responders" or 503: the message was certainly not stored.
An ack that never comes leaves its fate unknown, so every message carries a
``Nats-Msg-Id`` (its own, or one made from the publisher's inbox and the token)
and the stream drops a copy of one it stored. Either way the publisher turns
careful: failed messages and every new one wait in token order and go out one
at a time, each after the previous is stored, with a growing pause while the
stream still refuses. A lost connection does the same for every unacked message
once it is back (``disconnected``/``reconnected``, via nats_io.watch_connection).
Order is what a run's log needs (progress 3 after 2), and it holds through an
election; once the queue drains, publishing is pipelined
again. Futures fail only when ``retry_for`` is spent, so nobody waits forever.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections import OrderedDict

import msgspec
from nats.aio.client import Client
from nats.aio.msg import Msg


class PublishError(RuntimeError):
    pass


_ack_decoder = msgspec.json.Decoder()
# A stream at its limits (messages, bytes) answers 503 too, but waiting will not help.
_LIMITS_EXCEEDED = 10077
_FIRST_PAUSE_S = 0.1
_LONGEST_PAUSE_S = 1.0


class _Sent:
    __slots__ = ("number", "subject", "payload", "headers", "future", "first_at", "sent_at", "outcome")

    def __init__(
        self,
        number: int,
        subject: str,
        payload: bytes,
        headers: dict[str, str],
        future: asyncio.Future[None],
    ) -> None:
        self.number = number
        self.subject = subject
        self.payload = payload
        self.headers = headers
        self.future = future
        self.first_at = self.sent_at = time.monotonic()
        # Set while it goes out one at a time: True once settled, False to try again.
        self.outcome: asyncio.Future[bool] | None = None


class AckedPublisher:
    def __init__(self, nc: Client, ack_timeout: float = 10.0, retry_for: float = 60.0) -> None:
        self._nc = nc
        self._prefix = nc.new_inbox() + "."
        self._counter = 0
        self._pending: OrderedDict[str, _Sent] = OrderedDict()
        self._held: list[_Sent] = []  # in token order, waiting for the careful sender
        self._careful: asyncio.Task[None] | None = None
        self._ack_timeout = ack_timeout
        self._retry_for = retry_for
        self._sweeper: asyncio.Task[None] | None = None
        self.troubled_at = float("-inf")  # when a publish last had to be sent again
        self._holding = False  # disconnected: everything waits for the reconnect

    def note_trouble(self) -> None:
        """Something outside the publisher (an election advisory, a reconnect) shook the streams."""
        self.troubled_at = time.monotonic()
        if not self._holding:
            self._hold_unsettled()

    async def disconnected(self) -> None:
        """The connection is gone: hold new messages, so none overtakes one lost in flight."""
        self.troubled_at = time.monotonic()
        self._holding = True

    async def reconnected(self) -> None:
        """Send again, in order and before anything newer, every message not yet acked.

        One written to the dead connection is lost without an answer; the ids make
        the copies of those that were stored harmless.
        """
        self._holding = False
        self._hold_unsettled()

    def _hold_unsettled(self) -> None:
        """Every message whose fate is unknown goes out again, in order, before anything newer.

        One sent to a stream leader that died is lost without an answer; the next may
        be stored by the new leader first. Sent again in order (the ids make copies of
        the stored ones harmless), a run's log keeps its order: progress 1 before 2.
        """
        for token, sent in list(self._pending.items()):
            if sent.outcome is None and not sent.future.done():
                del self._pending[token]
                bisect.insort(self._held, sent, key=lambda item: item.number)
        if self._held and self._careful is None:
            self._careful = asyncio.ensure_future(self._send_carefully())

    def troubled_within(self, seconds: float) -> bool:
        return time.monotonic() - self.troubled_at < seconds

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
        sent = _Sent(self._counter, subject, payload, headers, future)
        if self._careful is not None or self._holding:
            self._held.append(sent)  # after the ones still waiting: order holds
            return future
        self._pending[token] = sent
        await self._nc.publish(subject, payload, reply=self._prefix + token, headers=headers)
        return future

    async def _on_ack(self, msg: Msg) -> None:
        sent = self._pending.pop(msg.subject[len(self._prefix) :], None)
        if sent is None or sent.future.done():
            return
        if not msg.data:
            self._refused(sent, "no stream stored the message (no responders)")
            return
        if b'"error"' in msg.data:
            error = _ack_decoder.decode(msg.data).get("error", {})
            reason = str(error.get("description", error))
            if error.get("code") == 503 and error.get("err_code") != _LIMITS_EXCEEDED:
                self._refused(sent, reason)  # no leader yet: it will be stored once there is one
                return
            sent.future.set_exception(PublishError(reason))
        else:
            sent.future.set_result(None)
        if sent.outcome is not None and not sent.outcome.done():
            sent.outcome.set_result(True)

    def _refused(self, sent: _Sent, reason: str) -> None:
        self.troubled_at = time.monotonic()
        if time.monotonic() - sent.first_at > self._retry_for:
            sent.future.set_exception(PublishError(f"{reason}; gave up after {self._retry_for:.0f} s"))
            if sent.outcome is not None and not sent.outcome.done():
                sent.outcome.set_result(True)
            return
        if sent.outcome is not None:
            if not sent.outcome.done():
                sent.outcome.set_result(False)  # the careful sender tries it again
            return
        bisect.insort(self._held, sent, key=lambda item: item.number)
        self._hold_unsettled()

    async def _send_carefully(self) -> None:
        loop = asyncio.get_running_loop()
        pause = _FIRST_PAUSE_S
        try:
            while self._held:
                sent = self._held[0]
                if sent.future.done():
                    self._held.pop(0)
                    continue
                sent.outcome = loop.create_future()
                token = str(sent.number)
                sent.sent_at = time.monotonic()
                self._pending[token] = sent
                try:
                    await self._nc.publish(sent.subject, sent.payload, reply=self._prefix + token, headers=sent.headers)
                    settled = await asyncio.wait_for(asyncio.shield(sent.outcome), self._ack_timeout)
                except Exception:  # noqa: BLE001 - reconnecting or no ack: the same message again
                    self._pending.pop(token, None)
                    settled = False
                    if time.monotonic() - sent.first_at > self._retry_for and not sent.future.done():
                        sent.future.set_exception(PublishError("no ack from JetStream in time"))
                        settled = True
                sent.outcome = None
                if settled:
                    # Not pop(0): an earlier message refused meanwhile may now lead.
                    self._held.remove(sent)
                    pause = _FIRST_PAUSE_S
                else:
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _LONGEST_PAUSE_S)
        finally:
            self._careful = None

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(self._ack_timeout / 3)
            cutoff = time.monotonic() - self._ack_timeout
            while self._pending:
                token, sent = next(iter(self._pending.items()))
                if sent.sent_at > cutoff:
                    break
                del self._pending[token]
                if not sent.future.done() and sent.outcome is None:
                    self._refused(sent, "no ack from JetStream in time")

    async def stop(self) -> None:
        for task in (self._sweeper, self._careful):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
