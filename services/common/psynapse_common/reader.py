"""Reading one subject of a stream in order, as fast as the reader consumes it.

An ordered push consumer sends as fast as the server can; a slow SSE client then
makes the subscription overflow and drop messages. This reader pulls instead: it
asks for a window of messages and asks for more only as it hands them on, so a
client that stops reading stops the flow, and memory stays at one window.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

_WINDOW = 256
_EXPIRES_S = 30.0
# The server sends a heartbeat on an idle pull request this often; three missed in
# a row mean the request (or the consumer, or the server) is gone.
_HEARTBEAT_S = 2.0


class StreamReader:
    def __init__(self, nc: Client, js: JetStreamContext, stream: str, subject: str, start_sequence: int = 0) -> None:
        self._nc = nc
        self._js = js
        self._stream = stream
        self._subject = subject
        self._start = start_sequence
        self._consumer: str | None = None
        self._sub: Subscription | None = None
        self._credit = 0
        self._last_sequence = 0

    async def open(self, patient: bool = False) -> None:
        """Make the reader's consumer; ``patient``: wait out a stream without a leader
        (a client already following this run), rather than fail (a new request: 503)."""
        self._sub = await self._nc.subscribe(self._nc.new_inbox(), pending_msgs_limit=4 * _WINDOW)
        if patient:
            await self._recover()
        else:
            await self._create_consumer(self._start)
        # Ask at once: the first events are on their way while the response starts.
        await self._ask()

    async def _create_consumer(self, start: int) -> None:
        config = ConsumerConfig(
            filter_subject=self._subject,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE if start else DeliverPolicy.ALL,
            opt_start_seq=start or None,
            ack_policy=AckPolicy.NONE,
            inactive_threshold=120.0,
            mem_storage=True,
            num_replicas=1,
        )
        info = await self._js.add_consumer(self._stream, config)
        self._consumer = info.name
        self._credit = 0

    async def _recover(self) -> None:
        """Start a fresh consumer right after the last message handed on."""
        while True:
            try:
                await self.close_consumer()
                await self._create_consumer(self._last_sequence + 1 if self._last_sequence else self._start)
                return
            except Exception:  # noqa: BLE001 - NATS is still away; try again shortly
                await asyncio.sleep(0.5)

    async def _ask(self) -> None:
        want = _WINDOW - self._credit
        request = json.dumps(
            {"batch": want, "expires": int(_EXPIRES_S * 1e9), "idle_heartbeat": int(_HEARTBEAT_S * 1e9)}
        ).encode()
        assert self._sub is not None
        await self._nc.publish(
            f"$JS.API.CONSUMER.MSG.NEXT.{self._stream}.{self._consumer}", request, reply=self._sub.subject
        )
        self._credit += want

    async def messages(self) -> AsyncIterator[Msg]:
        assert self._sub is not None
        while True:
            try:
                if self._credit <= _WINDOW // 2:
                    await self._ask()
                msg = await self._sub.next_msg(timeout=3 * _HEARTBEAT_S)
            except Exception:  # noqa: BLE001 - no heartbeat: the request or the server went away
                await self._recover()
                continue
            headers = msg.headers or {}
            status = headers.get("Status")
            if status is not None and not msg.data:
                if status == "409" and "Consumer Deleted" in (headers.get("Description") or ""):
                    await self._recover()
                elif status != "100":  # the request expired or ended: its credit is gone
                    left = headers.get("Nats-Pending-Messages")
                    self._credit = max(0, self._credit - int(left)) if left else 0
                continue
            self._credit -= 1
            self._last_sequence = msg.metadata.sequence.stream
            yield msg

    async def entries(self) -> AsyncIterator[tuple[int, bytes]]:
        """(stream sequence, data) of each message, in order."""
        async for msg in self.messages():
            yield msg.metadata.sequence.stream, msg.data

    async def close(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
        await self.close_consumer()

    async def close_consumer(self) -> None:
        if self._consumer is not None:
            name, self._consumer = self._consumer, None
            # Whatever goes wrong, it expires by itself when inactive.
            with contextlib.suppress(Exception):
                await self._js.delete_consumer(self._stream, name)
