"""Resuming a run from its event log after the orchestrator that drove it died.

The log is trusted: completed nodes keep their outputs and never run again, failed
ones stay failed. Nodes of jobs still in the work queue are in a runner's hands
(or will be: JetStream redelivers a job whose runner died), so they are left alone;
the rest are cut into segments again and dispatched as their inputs settle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psynapse_common import codec
from psynapse_common.graph import Schedule
from psynapse_common.messages import UNDER_WAY, Event, NodeEvents, RunEvent
from psynapse_common.wiring import Wiring


@dataclass
class Replayed:
    # Every node the log has an end or a start of (copies of maps and loops included).
    logged: set[str] = field(default_factory=set)
    # Nodes failed for a failed input whose own event the log lacks (their
    # orchestrator died before it said so).
    unlogged_failures: list[str] = field(default_factory=list)


def replay(history: list[Event], schedule: Schedule, wiring: Wiring) -> RunEvent | Replayed:
    """Apply the log to the run's state: its final event if it had ended, else what it
    held. Events of nodes not planned yet (a map's copies, before the map remade them)
    are left for the next pass; applying an event twice changes nothing."""
    replayed = Replayed()
    ended: set[str] = set()
    planned = schedule.plan.nodes
    for event in history:
        if isinstance(event, RunEvent):
            return event
        if not isinstance(event, NodeEvents):
            continue
        for item in event.events:
            replayed.logged.add(item.node_id)
            if item.node_id not in planned or item.node_id in ended:
                continue
            if item.status in ("completed", "skipped"):
                if not schedule.is_settled(item.node_id):
                    wiring.set_output(item.node_id, codec.SKIPPED if item.status == "skipped" else item.output)
                schedule.complete(item.node_id)
            elif item.status == "error":
                schedule.fail(item.node_id, item.error or "failed")
            if item.status not in UNDER_WAY:
                ended.add(item.node_id)
    replayed.unlogged_failures = [
        node_id for node_id in schedule.plan.order if node_id in schedule.failed and node_id not in ended
    ]
    return replayed
