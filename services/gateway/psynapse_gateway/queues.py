"""Each runner pool's job queue, read from JetStream when /health or /metrics asks."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nats.js import JetStreamContext

from psynapse_common.subjects import Names


def runners_by_pool(services: dict[str, list[dict[str, Any]]]) -> Counter[str]:
    return Counter(item.get("pool") or "default" for item in services.get("runner", []))


async def pool_queues(js: JetStreamContext, names: Names, runners: Counter[str]) -> dict[str, dict[str, int]]:
    """Per pool: live runners, jobs waiting for one, jobs a runner holds unacked.

    A pool's durable consumer exists once one of its runners has started; until
    then its jobs wait in the work-queue stream, counted here by subject.
    """
    pools: dict[str, dict[str, int]] = {}
    for info in await js.consumers_info(names.jobs_stream):
        pool = names.pool_of_consumer(info.name)
        if pool is not None:
            pools[pool] = {"pending": info.num_pending or 0, "in_flight": info.num_ack_pending or 0}
    stream = await js.stream_info(names.jobs_stream, subjects_filter=names.jobs_all)
    waiting: Counter[str] = Counter()
    for subject, count in (stream.state.subjects or {}).items():
        waiting[names.pool_of_job(subject)] += count
    for pool, count in waiting.items():
        pools.setdefault(pool, {"pending": count, "in_flight": 0})
    for pool in runners:
        pools.setdefault(pool, {"pending": 0, "in_flight": 0})
    return {pool: {"consumers": runners[pool], **queue} for pool, queue in sorted(pools.items())}
