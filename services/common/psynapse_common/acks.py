"""Acks of work-queue messages that the server confirms, without waiting on each one.

A plain ack lost while a consumer elects a leader, or while the connection drops,
has the message delivered again after its ack wait: a job run twice, its progress
twice in the run's log. So every ack asks for the server's answer. nats-py's
``ack_sync`` waits for it: a request with random bytes, a future and a timer per
message, and the caller's loop asleep until the answer is back, on every job and
every run. Here one wildcard subscription hears every answer, and an ack left
unanswered goes out again (the server answers an ack of an acked message too) until
``within`` is spent. The caller goes on at once: what waits is the message's
redelivery, and only while its ack is unconfirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg

log = structlog.get_logger()

_ACK = b"+ACK"
# The server says "no responders" (503) when no consumer leader took the ack.
_NO_RESPONDERS = "503"


class _Unconfirmed:
    __slots__ = ("subject", "first_at", "sent_at")

    def __init__(self, subject: str, now: float) -> None:
        self.subject = subject
        self.first_at = self.sent_at = now


class AckConfirmer:
    def __init__(self, nc: Client, within: float, send_again_after: float = 1.0) -> None:
        self._nc = nc
        self._prefix = nc.new_inbox() + "."
        self._counter = 0
        self._unconfirmed: dict[str, _Unconfirmed] = {}
        self._within = within
        self._send_again_after = send_again_after
        self._sweeper: asyncio.Task[None] | None = None
        self._none_left = asyncio.Event()
        self._none_left.set()
        self.given_up = 0

    @property
    def unconfirmed(self) -> int:
        return len(self._unconfirmed)

    async def start(self) -> None:
        await self._nc.subscribe(self._prefix + "*", cb=self._on_answer)
        self._sweeper = asyncio.create_task(self._sweep())

    async def confirmed(self, within: float) -> bool:
        """Whether every ack sent so far is confirmed (or given up) within ``within`` seconds."""
        try:
            async with asyncio.timeout(within):
                await self._none_left.wait()
        except TimeoutError:
            return False
        return True

    async def stop(self, within: float = 1.0) -> None:
        """Give the acks in flight ``within`` seconds to be confirmed (a message whose ack is
        lost comes back after its ack wait), then stop sending them again."""
        await self.confirmed(within)
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper

    async def ack(self, msg: Msg) -> None:
        """Ack ``msg`` (a JetStream message), confirmed in the background."""
        self._counter += 1
        token = str(self._counter)
        self._unconfirmed[token] = _Unconfirmed(msg.reply, time.monotonic())
        self._none_left.clear()
        await self._send(token, msg.reply)

    async def _send(self, token: str, subject: str) -> None:
        try:
            await self._nc.publish(subject, _ACK, reply=self._prefix + token)
        except Exception as exc:  # noqa: BLE001 - reconnecting: the sweep sends it again
            log.debug("ack.not_sent", error=str(exc) or type(exc).__name__)

    async def _on_answer(self, msg: Msg) -> None:
        if msg.headers and msg.headers.get("Status") == _NO_RESPONDERS:
            return  # no consumer leader took it: sent again by the sweep
        self._forget(msg.subject[len(self._prefix) :])

    def _forget(self, token: str) -> None:
        self._unconfirmed.pop(token, None)
        if not self._unconfirmed:
            self._none_left.set()

    async def _sweep(self) -> None:
        pause = min(self._send_again_after / 2, 0.25)
        while True:
            await asyncio.sleep(pause)
            now = time.monotonic()
            for token, ack in list(self._unconfirmed.items()):
                if now - ack.sent_at < self._send_again_after:
                    continue
                if now - ack.first_at > self._within:
                    self._forget(token)
                    self.given_up += 1
                    log.warning("ack.unconfirmed", subject=ack.subject, waited_s=round(now - ack.first_at, 1))
                    continue
                ack.sent_at = now
                await self._send(token, ack.subject)
