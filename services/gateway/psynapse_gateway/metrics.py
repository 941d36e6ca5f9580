"""The gateway's Prometheus metrics: its own counters, and the queues' figures read at scrape time.

Queue depth is read from JetStream at scrape time, so it is exact for the entire
deployment whichever gateway replica is scraped; counters are this process's.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from .beats import LiveServices
from .queues import Queues, runners_by_pool

RUNS_SUBMITTED = Counter("psynapse_gateway_runs_submitted", "Runs this gateway submitted")
EVENTS_DROPPED = Counter(
    "psynapse_gateway_sse_events_dropped",
    "Node events a stream left out because the node had ended already (a log holding two ends)",
)
JOBS_PENDING = Gauge("psynapse_jobs_pending", "Jobs waiting for a runner, by pool", ["pool"])
JOBS_IN_FLIGHT = Gauge("psynapse_jobs_in_flight", "Jobs runners hold unacked, by pool", ["pool"])
POOL_RUNNERS = Gauge("psynapse_pool_runners", "Live runner processes, by pool", ["pool"])
RUNS_IN_FLIGHT = Gauge(
    "psynapse_runs_in_flight", "Runs submitted to the orchestrators and not yet ended (all gateways)"
)
SCRAPE_ERRORS = Counter("psynapse_gateway_queue_read_errors", "Scrapes that could not read the queues")


async def read_queues(queues: Queues, live_services: LiveServices) -> None:
    pools = await queues.pools(runners_by_pool(live_services.now()))
    runs_in_flight = await queues.runs_in_flight()
    # Read everything first, then replace the samples in one go: a pool that is gone
    # leaves the export instead of keeping its last figures.
    for gauge in (JOBS_PENDING, JOBS_IN_FLIGHT, POOL_RUNNERS):
        gauge.clear()
    for pool, queue in pools.items():
        JOBS_PENDING.labels(pool).set(queue.pending)
        JOBS_IN_FLIGHT.labels(pool).set(queue.in_flight)
        POOL_RUNNERS.labels(pool).set(queue.consumers)
    RUNS_IN_FLIGHT.set(runs_in_flight)
