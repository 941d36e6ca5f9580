"""Reading one run's event log back from PSY_EVENTS (resume after a crash)."""

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy

from . import messages
from .messages import Event
from .subjects import Names

# How long an empty log is waited for: only a run that crashed before its first
# event has none, and that path is rare.
_EMPTY_WAIT_S = 0.5


async def read_run_log(js: JetStreamContext, names: Names, run_id: str) -> list[Event]:
    sub = await js.subscribe(
        names.run_events(run_id),
        stream=names.events_stream,
        ordered_consumer=True,
        deliver_policy=DeliverPolicy.ALL,
    )
    events: list[Event] = []
    try:
        try:
            msg = await sub.next_msg(timeout=_EMPTY_WAIT_S)
        except (asyncio.TimeoutError, TimeoutError):
            return events
        while True:
            events.append(messages.event_decoder.decode(msg.data))
            if msg.metadata.num_pending == 0:
                return events
            msg = await sub.next_msg(timeout=10)
    finally:
        await sub.unsubscribe()
