"""What the backbone holds right now: live services (their KV beats) and each pool's job queue.

/health shows them and /metrics exports them; both read JetStream when asked.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from nats.js import JetStreamContext
from nats.js.kv import KeyValue

from psynapse_common.messages import beat_decoder
from psynapse_common.subjects import Names

_STALE_S = 7.5  # beats come every 3 s


async def live_services(kv: KeyValue) -> dict[str, list[dict[str, Any]]]:
    """Service name -> its live instances, from beats newer than a few beat intervals."""
    services: dict[str, list[dict[str, Any]]] = {}
    try:
        keys = await kv.keys()
    except Exception:  # noqa: BLE001 - an empty bucket raises NoKeysError
        return services
    now = time.time()
    for key in keys:
        entry = await kv.get(key)
        if not entry or not entry.value:
            continue
        beat = beat_decoder.decode(entry.value)
        if now - beat.at > _STALE_S:
            continue
        item: dict[str, Any] = {"instance": beat.instance, "pid": beat.pid}
        if beat.pool:
            item["pool"] = beat.pool
        services.setdefault(beat.service, []).append(item)
    return services


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
    for subject, count in (stream.state.subjects or {}).items():
        pools.setdefault(names.pool_of_job(subject), {"pending": count, "in_flight": 0})
    for pool in runners:
        pools.setdefault(pool, {"pending": 0, "in_flight": 0})
    return {pool: {"consumers": runners[pool], **queue} for pool, queue in sorted(pools.items())}
