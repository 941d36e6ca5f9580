"""Following runs: a new run's events as they are stored, a past run's replayed, a run's end.

Event ids are positions in the run's log: stream sequence × ID_SPAN + the event's
place within that stored message (several nodes' events, each end maybe with its
start), so Last-Event-ID resumes exactly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from psynapse_common import messages
from psynapse_common.blobs import MARKER as BLOB_MARK
from psynapse_common.blobs import Blobs
from psynapse_common.messages import RunEvent
from psynapse_common.reader import StreamReader
from psynapse_common.runlog import read_final
from psynapse_common.subjects import Names

from .bodies import ExecuteResponse
from .live import LiveReader
from .metrics import EVENTS_DROPPED
from .records import execute_response
from .sse_response import SseEvents
from .submitter import ensure_connected
from .translator import SseTranslator

# Each stored message stands for at most 2 * MAX_BATCH spec events.
ID_SPAN = 2 * messages.MAX_BATCH

# How long /execute waits on the live final event before it reads the run's record:
# a reconnect to NATS can drop the core message, never the record.
_RECHECK_S = 5.0


class RunFollower:
    def __init__(self, nc: Client, js: JetStreamContext, names: Names, blobs: Blobs) -> None:
        self._nc = nc
        self._js = js
        self._names = names
        self._blobs = blobs
        self._waiting: dict[str, asyncio.Future[RunEvent]] = {}

    async def start(self) -> None:
        # One subscription to every run's final event, routed by run id: cheaper
        # than a subscription per /execute request.
        await self._nc.subscribe(self._names.events_of_kind("run"), cb=self._on_final)

    async def _on_final(self, msg: Msg) -> None:
        waiter = self._waiting.get(Names.run_id_of(msg.subject))
        if waiter is not None and not waiter.done():
            waiter.set_result(messages.run_event_decoder.decode(msg.data))

    async def run_to_end(self, run_id: str, send: Callable[[], Awaitable[asyncio.Future[None]]]) -> RunEvent:
        """Start the run with ``send`` and return its final event: /execute is the same run as a stream.

        ``send`` sends the run's submit and returns a future that settles once it is stored.
        """
        waiter: asyncio.Future[RunEvent] = asyncio.get_running_loop().create_future()
        self._waiting[run_id] = waiter
        try:
            stored = await send()
            # The run goes on while the stream's ack comes back: wait for both at once,
            # so a submit the stream refuses still ends the wait, with its error.
            either: list[asyncio.Future[Any]] = [stored, waiter]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if stored.done():
                stored.result()
            while True:
                try:
                    return await asyncio.wait_for(asyncio.shield(waiter), _RECHECK_S)
                except TimeoutError:
                    final = await read_final(self._js, self._names, run_id)
                    if final is not None:
                        return final
        finally:
            self._waiting.pop(run_id, None)

    async def answer(self, final: RunEvent) -> ExecuteResponse:
        """The /execute answer for a run's final event, its large values fetched."""
        return execute_response(final, await self._blobs.fetch(list(final.results.values())))

    async def open_live(self, run_id: str) -> LiveReader:
        """A reader of a run not submitted yet: its events pushed as they are stored."""
        ensure_connected(self._nc)
        reader = LiveReader(self._nc, self._js, self._names, run_id)
        await reader.open()
        return reader

    async def open_events(self, run_id: str) -> StreamReader:
        """A reader of one run's events from its first one, paced by its client."""
        reader = StreamReader(self._nc, self._js, self._names.events_stream, self._names.run_events(run_id))
        await reader.open()
        return reader

    async def events(self, reader: StreamReader | LiveReader, after_id: int = 0) -> SseEvents:
        """(event id, spec event) after ``after_id``, until the run's final event; closes ``reader``."""
        translator = SseTranslator()
        try:
            async for sequence, data in reader.entries():
                event = messages.event_decoder.decode(data)
                blobs = await self._blobs.fetch([data]) if BLOB_MARK in data else None
                for part, body in enumerate(translator.translate(event, blobs)):
                    event_id = sequence * ID_SPAN + part
                    if event_id > after_id:
                        yield event_id, body
                if translator.finished:
                    return
        finally:
            if translator.dropped:
                EVENTS_DROPPED.inc(translator.dropped)
            await reader.close()
