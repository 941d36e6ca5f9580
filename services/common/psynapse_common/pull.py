"""The JetStream pull protocol, written once: ask a consumer for messages on an inbox
and know how many the open requests still owe.

Both pullers build on it (``puller.Puller``: a job consumer with a fixed number of
slots; ``reader.StreamReader``: one run's events in order). nats-py's own
``PullSubscription.fetch`` returns a batch only when it is full or its request
expires, so a message that arrives alone waits out the request (``bench/pull_consumers.py``
measures it); the nats.go ``Consume`` way — requests kept open, each message handed
on as it lands — is what both need, and nats-py has no such call.
"""

from __future__ import annotations

import enum
import json
import time
from collections import deque
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg


class Arrival(enum.Enum):
    MESSAGE = "message"
    HEARTBEAT = "heartbeat"  # the request is alive and has nothing yet
    ENDED = "ended"  # a request expired or the server ended it; what it still owed is not coming
    CONSUMER_GONE = "consumer gone"  # every request died with the consumer


@dataclass(slots=True)
class _Request:
    batch: int
    deadline: float


class PullRequests:
    def __init__(
        self,
        nc: Client,
        stream: str,
        consumer: str,
        inbox: str,
        expires_s: float,
        heartbeat_s: float | None = None,
    ) -> None:
        self._nc = nc
        self._subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}"
        self._inbox = inbox
        self._expires_s = expires_s
        self._heartbeat_s = heartbeat_s
        self._open: deque[_Request] = deque()
        self._asked = 0  # what the open requests asked for, together
        self._owed = 0

    @property
    def owed(self) -> int:
        """Messages the open requests may still deliver."""
        return self._owed

    async def ask(self, batch: int) -> None:
        request: dict[str, int] = {"batch": batch, "expires": int(self._expires_s * 1e9)}
        if self._heartbeat_s:
            request["idle_heartbeat"] = int(self._heartbeat_s * 1e9)
        await self._nc.publish(self._subject, json.dumps(request).encode(), reply=self._inbox)
        self._open.append(_Request(batch, time.monotonic() + self._expires_s))
        self._asked += batch
        self._owed += batch

    def arrived(self, msg: Msg) -> Arrival:
        """What a message on the inbox is; the accounting follows it."""
        headers = msg.headers
        status = headers.get("Status") if headers else None
        if status is None or msg.data:
            self._owed = max(0, self._owed - 1)
            return Arrival.MESSAGE
        assert headers is not None
        if status == "100":
            return Arrival.HEARTBEAT
        if status == "409" and "Consumer Deleted" in headers.get("Description", ""):
            self.forget()
            return Arrival.CONSUMER_GONE
        # 408 (expired) or 409 (ended by the server). Requests share one expiry, so
        # the oldest ends first; a request that delivered its whole batch ends silently.
        if self._open:
            self._asked -= self._open.popleft().batch
        left = headers.get("Nats-Pending-Messages")
        self._owed -= int(left) if left else 0
        self._cap()
        return Arrival.ENDED

    def expire(self, grace_s: float) -> None:
        """Drop requests ``grace_s`` past their expiry: delivered in full, or their end notice lost."""
        limit = time.monotonic() - grace_s
        while self._open and self._open[0].deadline < limit:
            self._asked -= self._open.popleft().batch
        self._cap()

    def forget(self) -> None:
        """The server lost every request (a reconnect, a new consumer)."""
        self._open.clear()
        self._asked = 0
        self._owed = 0

    def _cap(self) -> None:
        # No more can come than the requests still open asked for.
        self._owed = max(0, min(self._owed, self._asked))
