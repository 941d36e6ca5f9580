"""Publishing run events: pipelined, acks confirmed in batches by the caller."""

from __future__ import annotations

import asyncio

from . import messages
from .messages import MAX_BATCH, UNDER_WAY, NodeEvent, NodeEvents, ProgressEvent, RunEvent, StreamEvent
from .publisher import AckedPublisher
from .subjects import Names

# Room for an event's names, status and framing beside its values.
_EVENT_OVERHEAD = 256


def ends_msg_id(run_id: str, events: list[NodeEvent]) -> str:
    """The id of a message of node ends: a job run again publishes the same message, which the stream drops."""
    return f"{run_id}:{events[0].node_id}..{events[-1].node_id}:end"


class EventSink:
    def __init__(self, publisher: AckedPublisher, names: Names, max_bytes: int = 512 * 1024) -> None:
        self._publisher = publisher
        self._names = names
        self._max_bytes = max_bytes

    async def _publish(self, run_id: str, kind: str, payload: bytes, msg_id: str | None = None) -> asyncio.Future[None]:
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        return await self._publisher.publish(self._names.event(run_id, kind), payload, headers)

    async def nodes(self, run_id: str, events: list[NodeEvent]) -> list[asyncio.Future[None]]:
        """Publish node events in order, as few messages as fit.

        A node's start (or a retry of it) goes alone and is stored again if its job
        runs again (the node starts again); ends share messages whose ids make a
        repeat a no-op.
        """
        acks: list[asyncio.Future[None]] = []
        ends: list[NodeEvent] = []
        size = 0
        for event in events:
            if event.status in UNDER_WAY:
                acks += await self._ends(run_id, ends)
                ends, size = [], 0
                payload = messages.encode(NodeEvents(run_id=run_id, events=[event]))
                acks.append(await self._publish(run_id, "node", payload))
                continue
            weight = _EVENT_OVERHEAD + len(event.output) + sum(len(raw) for raw in event.inputs.values())
            if ends and (len(ends) >= MAX_BATCH or size + weight > self._max_bytes):
                acks += await self._ends(run_id, ends)
                ends, size = [], 0
            ends.append(event)
            size += weight
        acks += await self._ends(run_id, ends)
        return acks

    async def _ends(self, run_id: str, ends: list[NodeEvent]) -> list[asyncio.Future[None]]:
        if not ends:
            return []
        payload = messages.encode(NodeEvents(run_id=run_id, events=ends))
        return [await self._publish(run_id, "node", payload, ends_msg_id(run_id, ends))]

    async def ends_each(self, run_id: str, events: list[NodeEvent]) -> list[asyncio.Future[None]]:
        """One message per node end, each with the node's own id.

        For ends two parties may both send (a cancel racing a job's last calls): the
        stream keeps whichever comes first, so a node still ends once.
        """
        acks: list[asyncio.Future[None]] = []
        for event in events:
            acks += await self._ends(run_id, [event])
        return acks

    async def progress(self, event: ProgressEvent) -> asyncio.Future[None]:
        return await self._publish(event.run_id, "progress", messages.encode(event))

    async def stream(self, event: StreamEvent) -> asyncio.Future[None]:
        return await self._publish(event.run_id, "stream", messages.encode(event))

    async def run(self, event: RunEvent) -> asyncio.Future[None]:
        return await self._publish(event.run_id, "run", messages.encode(event), f"{event.run_id}:run:end")


async def confirm(futures: list[asyncio.Future[None]]) -> None:
    """Wait for the stream to have stored every event published so far."""
    if futures:
        pending = list(futures)
        futures.clear()
        await asyncio.gather(*pending)
