"""The queues behind the gateway, read from JetStream when /health or /metrics asks:
each runner pool's jobs, and the runs in flight."""

from __future__ import annotations

from collections import Counter

from nats.js import JetStreamContext

from psynapse_common.subjects import Names

from .bodies import PoolQueue, ServiceInstance


def runners_by_pool(services: dict[str, list[ServiceInstance]]) -> Counter[str]:
    return Counter(item.pool if isinstance(item.pool, str) else "default" for item in services.get("runner", []))


class Queues:
    def __init__(self, js: JetStreamContext, names: Names) -> None:
        self._js = js
        self._names = names

    async def pools(self, runners: Counter[str]) -> dict[str, PoolQueue]:
        """Per pool: live runners, jobs waiting for one, jobs a runner holds unacked.

        A pool's durable consumer exists once one of its runners has started; until
        then its jobs wait in the work-queue stream, counted here by subject.
        """
        names = self._names
        queues: dict[str, tuple[int, int]] = {}
        for info in await self._js.consumers_info(names.jobs_stream):
            pool = names.pool_of_consumer(info.name)
            if pool is not None:
                queues[pool] = (info.num_pending or 0, info.num_ack_pending or 0)
        stream = await self._js.stream_info(names.jobs_stream, subjects_filter=names.jobs_all)
        waiting: Counter[str] = Counter()
        for subject, count in (stream.state.subjects or {}).items():
            waiting[names.pool_of_job(subject)] += count
        for pool, count in waiting.items():
            queues.setdefault(pool, (count, 0))
        for pool in runners:
            queues.setdefault(pool, (0, 0))
        return {
            pool: PoolQueue(consumers=runners[pool], pending=pending, in_flight=in_flight)
            for pool, (pending, in_flight) in sorted(queues.items())
        }

    async def runs_in_flight(self) -> int:
        """Runs an orchestrator holds, not yet ended: the runs work-queue keeps exactly those."""
        return (await self._js.stream_info(self._names.runs_stream)).state.messages
