"""A runner's Prometheus metrics: the jobs and node calls this process ran, and the
threads of timed-out calls that still run here."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram

JOBS = Counter("psynapse_runner_jobs", "Jobs this runner ran", ["pool"])
JOBS_IN_FLIGHT = Gauge("psynapse_runner_jobs_in_flight", "Jobs this runner holds right now", ["pool"])
NODE_CALLS = Counter("psynapse_runner_node_calls", "Function nodes this runner called", ["function"])
NODE_FAILURES = Counter("psynapse_runner_node_failures", "Function nodes that raised here", ["function"])
CALLS_ABANDONED = Counter(
    "psynapse_runner_calls_abandoned", "Calls left running on their thread when their node timed out", ["function"]
)
STUCK_THREADS = Gauge(
    "psynapse_runner_stuck_threads", "Threads of abandoned calls still running past the grace period", ["pool"]
)
NODE_SECONDS = Histogram(
    "psynapse_runner_node_duration_seconds",
    "Call time of function nodes on this runner",
    ["function"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300),
)


# Each function's children, looked up once: labels() validates and locks on every call.
_per_function: dict[str, tuple[Any, Any]] = {}


def node_called(function: str, seconds: float, failed: bool) -> None:
    children = _per_function.get(function)
    if children is None:
        children = _per_function[function] = (NODE_CALLS.labels(function), NODE_SECONDS.labels(function))
    children[0].inc()
    children[1].observe(seconds)
    if failed:
        NODE_FAILURES.labels(function).inc()


def call_abandoned(function: str) -> None:
    CALLS_ABANDONED.labels(function).inc()
