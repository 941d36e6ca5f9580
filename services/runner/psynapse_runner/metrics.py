"""A runner's Prometheus metrics: the jobs and node calls this process ran."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

JOBS = Counter("psynapse_runner_jobs", "Jobs this runner ran", ["pool"])
JOBS_IN_FLIGHT = Gauge("psynapse_runner_jobs_in_flight", "Jobs this runner holds right now", ["pool"])
NODE_CALLS = Counter("psynapse_runner_node_calls", "Function nodes this runner called", ["function"])
NODE_FAILURES = Counter("psynapse_runner_node_failures", "Function nodes that raised here", ["function"])
NODE_SECONDS = Histogram(
    "psynapse_runner_node_duration_seconds",
    "Call time of function nodes on this runner",
    ["function"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300),
)


def node_called(function: str, seconds: float, failed: bool) -> None:
    NODE_CALLS.labels(function).inc()
    NODE_SECONDS.labels(function).observe(seconds)
    if failed:
        NODE_FAILURES.labels(function).inc()
