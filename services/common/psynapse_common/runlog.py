"""Reading one run's events back from PSY_EVENTS: its whole log (resume after a crash), or its end."""

from __future__ import annotations

import asyncio

from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from . import messages
from .messages import Event, RunEvent
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


async def read_final(js: JetStreamContext, names: Names, run_id: str) -> RunEvent | None:
    """The run's final event if it is stored: one direct read, no consumer, no wait."""
    try:
        msg = await js.get_last_msg(names.events_stream, names.event(run_id, "run"))
    except NotFoundError:
        return None
    return messages.run_event_decoder.decode(msg.data)
