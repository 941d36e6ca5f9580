"""Reading what one subject of a stream holds now, once, in order.

A short-lived pull consumer that takes no acks: it counts the matching messages
when it starts and reads exactly those, so a scan ends without waiting on a
timeout and messages stored meanwhile never make it run on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

_BATCH = 256
_FETCH_TIMEOUT_S = 5.0


async def scan(
    js: JetStreamContext,
    stream: str,
    subject: str | list[str],
    *,
    since: dt.datetime | None = None,
    before_sequence: int | None = None,
    headers_only: bool = False,
) -> AsyncIterator[Msg]:
    """Yield the messages of ``subject`` (or of any of several) stored from ``since``
    (or the first one) up to now, stopping at ``before_sequence`` when given."""
    subjects = [subject] if isinstance(subject, str) else subject
    config = ConsumerConfig(
        filter_subjects=subjects if len(subjects) > 1 else None,
        deliver_policy=DeliverPolicy.BY_START_TIME if since else DeliverPolicy.ALL,
        opt_start_time=since,
        ack_policy=AckPolicy.NONE,
        headers_only=headers_only or None,
        inactive_threshold=30.0,
        mem_storage=True,
        num_replicas=1,
    )
    sub = await js.pull_subscribe(subjects[0], stream=stream, config=config)
    name = config.name
    assert name is not None  # set just above
    try:
        left = (await sub.consumer_info()).num_pending or 0
        while left > 0:
            try:
                batch = await sub.fetch(min(_BATCH, left), timeout=_FETCH_TIMEOUT_S)
            except TimeoutError:
                return  # the stream lost the messages meanwhile (max age)
            for msg in batch:
                if before_sequence is not None and msg.metadata.sequence.stream >= before_sequence:
                    return
                left -= 1
                yield msg
    finally:
        await sub.unsubscribe()
        # It goes away by itself when inactive.
        with contextlib.suppress(Exception):
            await js.delete_consumer(stream, name)
