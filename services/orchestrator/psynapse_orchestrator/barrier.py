"""A run's final event waits for the events its runners sent, after a stream election.

Node events reach the orchestrator over core NATS even while their stream elects
a leader and cannot store them; their publishers send them again, but a final
event stored first would end the log (and every replay) before them. Only after
trouble (a resend, an election advisory, a reconnect) is the log checked:
reading it costs a consumer, and in calm times the stream order is the send order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import structlog

from psynapse_common.events import confirm
from psynapse_common.messages import UNDER_WAY, Event, NodeEvents
from psynapse_common.publisher import PublishError

log = structlog.get_logger()

# Runs ending this long after trouble check their log: resends settle within
# seconds of a new leader.
TROUBLE_WINDOW_S = 30.0
# How long a run's end waits for events its runners are still sending again.
STORE_WAIT_S = 60.0


async def wait_until_stored(
    run_id: str,
    published: list[asyncio.Future],
    heard_ended: set[str],
    read_log: Callable[[str], Awaitable[list[Event]]] | None,
) -> None:
    """Return once the run's own events are stored and every node heard ending is in its log."""
    try:
        await confirm(published)
    except PublishError as exc:
        log.warning("run.unconfirmed", run_id=run_id, error=str(exc))
    if read_log is None:
        return
    deadline = time.monotonic() + STORE_WAIT_S
    while True:
        try:
            stored = ended_in(await read_log(run_id))
        except Exception as exc:  # noqa: BLE001 - still shaky: end the run as heard
            log.warning("run.log_unreadable", run_id=run_id, error=str(exc) or type(exc).__name__)
            return
        missing = heard_ended - stored
        if not missing or time.monotonic() > deadline:
            if missing:
                log.warning("run.events_missing", run_id=run_id, nodes=sorted(missing))
            return
        await asyncio.sleep(0.5)


def ended_in(history: list[Event]) -> set[str]:
    """Nodes whose terminal event is in a run's log."""
    ended: set[str] = set()
    for event in history:
        if isinstance(event, NodeEvents):
            ended.update(item.node_id for item in event.events if item.status not in UNDER_WAY)
    return ended
