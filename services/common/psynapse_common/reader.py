"""Reading one subject of a stream in order, as fast as the reader consumes it.

An ordered push consumer sends as fast as the server can; a slow SSE client then
makes the subscription overflow and drop messages. This reader pulls instead: it
asks for a window of messages and asks for more only as it hands them on, so a
client that stops reading stops the flow, and memory stays at one window.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from .pull import Arrival, PullRequests

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
        self._requests: PullRequests | None = None
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
        assert self._sub is not None
        self._requests = PullRequests(
            self._nc, self._stream, info.name, self._sub.subject, _EXPIRES_S, heartbeat_s=_HEARTBEAT_S
        )

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
        assert self._requests is not None
        self._requests.expire(_HEARTBEAT_S)
        await self._requests.ask(_WINDOW - self._requests.owed)

    async def messages(self) -> AsyncIterator[Msg]:
        assert self._sub is not None
        while True:
            assert self._requests is not None
            try:
                if self._requests.owed <= _WINDOW // 2:
                    await self._ask()
                msg = await self._sub.next_msg(timeout=3 * _HEARTBEAT_S)
            except Exception:  # noqa: BLE001 - no heartbeat: the request or the server went away
                await self._recover()
                continue
            arrival = self._requests.arrived(msg)
            if arrival is Arrival.CONSUMER_GONE:
                await self._recover()
            if arrival is not Arrival.MESSAGE:
                continue
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
