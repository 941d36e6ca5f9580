"""Reading one run's state back: its event log and its end (PSY_EVENTS), its jobs still queued (PSY_JOBS)."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from . import messages
from .messages import Event, Job, RunEvent
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
        except TimeoutError:
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
    return messages.run_event_decoder.decode(msg.data or b"")


async def jobs_in_flight(js: JetStreamContext, names: Names, run_id: str) -> list[Job]:
    """The run's jobs still in the work queue: waiting for a runner, or held by one.

    A job leaves the queue once its runner has stored its events, so with the log
    read after this, every node is either settled there or in one of these jobs.
    """
    info = await js.stream_info(names.jobs_stream, subjects_filter=names.run_jobs(run_id))
    jobs: list[Job] = []
    for subject in info.state.subjects or {}:
        sequence = 0
        while True:
            try:
                msg = await js.get_msg(names.jobs_stream, seq=sequence + 1, subject=subject, next=True)
            except NotFoundError:
                break
            jobs.append(messages.job_decoder.decode(msg.data or b""))
            sequence = msg.seq or sequence + 1
    return jobs
