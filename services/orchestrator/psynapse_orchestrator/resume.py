"""Resuming a run from its event log after the orchestrator that drove it died.

The log is trusted: completed nodes keep their outputs and never run again, failed
ones stay failed. Nodes of jobs still in the work queue are in a runner's hands
(or will be: JetStream redelivers a job whose runner died), so they are left alone;
the rest are cut into segments again and dispatched as their inputs settle.
"""

from __future__ import annotations

from psynapse_common import codec
from psynapse_common.graph import Schedule
from psynapse_common.messages import Event, NodeEvents, RunEvent
from psynapse_common.wiring import Wiring


def replay(history: list[Event], schedule: Schedule, wiring: Wiring) -> RunEvent | list[str]:
    """Apply the log to the run's state: its final event if it had ended, else the nodes
    failed for a failed input whose own event the log lacks (their orchestrator died
    before it said so)."""
    logged: set[str] = set()
    for event in history:
        if isinstance(event, RunEvent):
            return event
        if not isinstance(event, NodeEvents):
            continue
        for item in event.events:
            if item.status in ("completed", "skipped"):
                wiring.set_output(item.node_id, codec.SKIPPED if item.status == "skipped" else item.output)
                schedule.complete(item.node_id)
            elif item.status == "error":
                schedule.fail(item.node_id, item.error or "failed")
            if item.status != "executing":
                logged.add(item.node_id)
    return [node_id for node_id in schedule.plan.order if node_id in schedule.failed and node_id not in logged]
