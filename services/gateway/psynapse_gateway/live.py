"""A new run's events as the stream stores them, pushed, with the stream itself to fall back on.

PSY_EVENTS republishes every event it stores on ``<prefix>.live.<run_id>.<kind>``
with its stream sequence and the sequence of the previous event of the same subject
(``Nats-Last-Sequence``). A stream client subscribes there before its run is
submitted, so it misses nothing in the usual case and costs no consumer to create;
the first events reach it as soon as they are stored.

Core messages can be lost: a client too slow for its buffer, a reconnect, interest
not yet known to a cluster's other servers. Each event's previous-on-its-subject
sequence shows a gap; a quiet spell is checked against the stream. Either way the
rest is read from the stream itself, from the last event handed on, in order, so a
client sees the same events a replay gives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from psynapse_common.reader import StreamReader
from psynapse_common.subjects import Names

# Messages held for a client that reads slower than its run publishes: past this
# they are dropped, and the rest comes from the stream.
_BUFFER = 1024
# A run quiet this long is asked of the stream: did something come that was lost?
_QUIET_S = 2.0


class LiveReader:
    def __init__(self, nc: Client, js: JetStreamContext, names: Names, run_id: str) -> None:
        self._nc = nc
        self._js = js
        self._names = names
        self._run_id = run_id
        self._sub: Subscription | None = None
        self._fallback: StreamReader | None = None

    async def open(self) -> None:
        """Subscribe; the run's submit, sent later on this connection, reaches the server after."""
        self._sub = await self._nc.subscribe(self._names.live_events(self._run_id), pending_msgs_limit=_BUFFER)

    async def entries(self) -> AsyncIterator[tuple[int, bytes]]:
        """(stream sequence, event) in the stream's order, for as long as the caller reads."""
        assert self._sub is not None
        last_seen = 0
        last_of_subject: dict[str, int] = {}
        while True:
            try:
                msg = await self._sub.next_msg(timeout=_QUIET_S)
            except TimeoutError:
                if await self._stored_after(last_seen):
                    break
                continue
            except Exception:  # noqa: BLE001 - the connection is in trouble: the stream reader waits it out
                break
            headers = msg.headers or {}
            sequence = int(headers.get("Nats-Sequence", 0))
            subject = headers.get("Nats-Subject", "")
            if not sequence or last_of_subject.get(subject, 0) != int(headers.get("Nats-Last-Sequence", -1)):
                break  # something on this subject never reached us
            last_of_subject[subject] = sequence
            last_seen = sequence
            yield sequence, msg.data
        await self._sub.unsubscribe()
        self._sub = None
        self._fallback = StreamReader(
            self._nc, self._js, self._names.events_stream, self._names.run_events(self._run_id), last_seen + 1
        )
        await self._fallback.open(patient=True)
        async for sequence, data in self._fallback.entries():
            yield sequence, data

    async def _stored_after(self, sequence: int) -> bool:
        """Whether the stream holds an event of the run after ``sequence``; True when it cannot say."""
        try:
            await self._js.get_msg(
                self._names.events_stream, seq=sequence + 1, subject=self._names.run_events(self._run_id), next=True
            )
        except NotFoundError:
            return False
        except Exception:  # noqa: BLE001 - an election, a reconnect: the stream reader waits it out
            return True
        return True

    async def close(self) -> None:
        if self._sub is not None:
            await self._sub.unsubscribe()
        if self._fallback is not None:
            await self._fallback.close()
