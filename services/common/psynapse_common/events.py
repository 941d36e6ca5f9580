"""Publishing run events: pipelined, acks confirmed in batches by the caller."""

from __future__ import annotations

import asyncio

from . import messages
from .messages import MAX_BATCH, NodeBatch, NodeEvent, ProgressEvent, RunEvent, StreamEvent
from .publisher import AckedPublisher
from .subjects import Names


def terminal_msg_id(run_id: str, node_id: str) -> str:
    return f"{run_id}:{node_id}:end"


class EventSink:
    def __init__(self, publisher: AckedPublisher, names: Names) -> None:
        self._publisher = publisher
        self._names = names

    async def _publish(
        self, run_id: str, kind: str, payload: bytes, msg_id: str | None = None
    ) -> asyncio.Future:
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        return await self._publisher.publish(self._names.event(run_id, kind), payload, headers)

    async def node(self, event: NodeEvent) -> asyncio.Future:
        msg_id = None
        if event.status != "executing":
            msg_id = terminal_msg_id(event.run_id, event.node_id)
        return await self._publish(event.run_id, "node", messages.encode(event), msg_id)

    async def nodes(self, run_id: str, events: list[NodeEvent]) -> list[asyncio.Future]:
        """Publish node events, several to a message: fewer stores, same order."""
        acks = []
        for start in range(0, len(events), MAX_BATCH):
            part = events[start : start + MAX_BATCH]
            if len(part) == 1:
                acks.append(await self.node(part[0]))
                continue
            # Ids of a batch's terminal events: a replayed job stores it once.
            msg_id = terminal_msg_id(run_id, f"{part[0].node_id}..{part[-1].node_id}")
            payload = messages.encode(NodeBatch(run_id=run_id, events=part))
            acks.append(await self._publish(run_id, "node", payload, msg_id))
        return acks

    async def progress(self, event: ProgressEvent) -> asyncio.Future:
        return await self._publish(event.run_id, "progress", messages.encode(event))

    async def stream(self, event: StreamEvent) -> asyncio.Future:
        return await self._publish(event.run_id, "stream", messages.encode(event))

    async def run(self, event: RunEvent) -> asyncio.Future:
        return await self._publish(
            event.run_id, "run", messages.encode(event), f"{event.run_id}:run:end"
        )


async def confirm(futures: list[asyncio.Future]) -> None:
    """Wait for the stream to have stored every event published so far."""
    if futures:
        pending = list(futures)
        futures.clear()
        await asyncio.gather(*pending)
