"""Resuming a run from its event log after the orchestrator that drove it died.

The log is trusted: completed nodes keep their outputs and never run again; nodes
seen executing are still in a runner's hands (their jobs are unacked, so JetStream
redelivers them if that runner died too); ready nodes are dispatched again, and the
job's Nats-Msg-Id makes JetStream drop the copy when the first dispatch had already
reached the stream.
"""

from __future__ import annotations

from dataclasses import dataclass

from psynapse_common.graph import Schedule
from psynapse_common.messages import Event, NodeBatch, NodeEvent, RunEvent
from psynapse_common.wiring import Wiring


@dataclass
class Replayed:
    announced: set[str]  # nodes whose executing event is in the log
    ready: list[str]  # nodes to run now, in plan order


def replay(history: list[Event], schedule: Schedule, wiring: Wiring) -> RunEvent | Replayed:
    """Apply the log to the run's state: its final event if it ended, else what to do next."""
    announced: set[str] = set()
    for event in history:
        if isinstance(event, RunEvent):
            return event
        for item in event.events if isinstance(event, NodeBatch) else [event]:
            if not isinstance(item, NodeEvent):
                continue
            announced.add(item.node_id)
            if item.status == "completed":
                wiring.set_output(item.node_id, item.output)
                schedule.complete(item.node_id)
            elif item.status == "error":
                schedule.fail(item.node_id, item.error or "failed")
    in_flight = announced - schedule.finished - set(schedule.failed)
    for node_id in in_flight:
        schedule.mark_dispatched(node_id)
    plan = schedule.plan
    ready = [
        node_id
        for node_id in plan.order
        if not schedule.is_settled(node_id)
        and node_id not in in_flight
        and all(schedule.is_settled(p) for p in plan.predecessors[node_id])
    ]
    return Replayed(announced, ready)
