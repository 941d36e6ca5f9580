"""The orchestrator's Prometheus metrics: runs, node durations and failures.

Node figures come from the events the runners publish (their measured call
time), so they are counted once per node however many runners there are. Queue
depth is the gateway's: it reads JetStream when scraped.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Histogram

from psynapse_common.messages import NodeEvent

RUNS_STARTED = Counter("psynapse_runs_started", "Runs the orchestrator began to drive")
RUNS_FINISHED = Counter("psynapse_runs_finished", "Runs that ended, by outcome", ["status"])
RUN_SECONDS = Histogram(
    "psynapse_run_duration_seconds",
    "Wall time of a run in the orchestrator",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
NODE_SECONDS = Histogram(
    "psynapse_node_duration_seconds",
    "Call time of function nodes, as the runners measured it",
    ["function"],
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300),
)
NODE_FAILURES = Counter("psynapse_node_failures", "Function nodes that raised", ["function"])
NODE_RETRIES = Counter("psynapse_node_retries", "Calls of function nodes made again after one failed", ["function"])
NODE_TIMEOUTS = Counter("psynapse_node_timeouts", "Function nodes that failed for running too long", ["function"])


# Each function's histogram, looked up once: labels() validates and locks on every call.
_node_seconds: dict[str, Any] = {}


def node_ended(function: str, event: NodeEvent) -> None:
    """A function node's end, as its runner measured the call (never a cache hit)."""
    if event.duration_ms is None:
        return  # failed without a call: a job given up, a cancel
    seconds = _node_seconds.get(function)
    if seconds is None:
        seconds = _node_seconds[function] = NODE_SECONDS.labels(function)
    seconds.observe(event.duration_ms / 1000)
    if event.status == "error":
        NODE_FAILURES.labels(function).inc()
        if event.timed_out:
            NODE_TIMEOUTS.labels(function).inc()


def node_retried(function: str) -> None:
    NODE_RETRIES.labels(function).inc()


_runs_finished: dict[str, Any] = {}


def run_finished(status: str, seconds: float) -> None:
    counter = _runs_finished.get(status)
    if counter is None:
        counter = _runs_finished[status] = RUNS_FINISHED.labels(status)
    counter.inc()
    RUN_SECONDS.observe(seconds)
