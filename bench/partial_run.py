"""Partial runs: a run to one node of a chain, unchanged since the last run, beside the
full run of the same chain, unchanged too, on a stack in its default configuration.

- ``partial_run``: the 100-node chain of bench/incremental.py (variable -> 99 ``identity``
  -> ``add`` -> view) run to ``n50``, its middle: 51 of its 103 nodes are planned and run.
- ``partial_run_sleep``: the chain of 20 ``sleep_ms(ms=20)`` run to ``n10``: nodes that do
  work, so every one the partial run needs is a cache hit.

Both go to ``/execute/stream``, as the editor sends them, and are timed to the run's
final event. Each repeat starts from values no earlier run used, runs the chain once
cold (untimed: it fills the cache), then times the full and the partial run in turn, so
the machine's noise falls on both. ``identity`` is quicker than the cache's threshold
(PSYNAPSE_CACHE_MIN_CALL_MS), so it runs again rather than being looked up: the counts
of functions run and cache hits say which happened.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import httpx
from incremental import CHAIN, chain_graph

BUILTINS = {"Variable", "List", "View"}
# (row, function nodes in the chain, sleep ms per node (0: identity), the node it runs to)
WORKLOADS = [("partial_run", CHAIN, 0, "n50"), ("partial_run_sleep", 21, 20, "n10")]
SAMPLES = 3  # timed full and partial runs per repeat


def _stream(client: httpx.Client, body: dict) -> tuple[float, list[dict[str, Any]]]:
    """Wall ms of one streamed run, to its final event, and its events."""
    events: list[dict[str, Any]] = []
    started = time.perf_counter()
    with client.stream("POST", "/execute/stream", json=body) as response:
        if response.status_code != 200:
            raise RuntimeError(f"/execute/stream answered {response.status_code}: {response.read()[:300]!r}")
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            events.append(event)
            if "node_id" not in event and event.get("status") in ("done", "error"):
                break
    return (time.perf_counter() - started) * 1000, events


def _counts(events: list[dict[str, Any]]) -> tuple[int, int]:
    """Function nodes that ran, and those answered from the cache."""
    ends = [e for e in events if e.get("status") == "completed" and e.get("node_name") not in BUILTINS]
    hits = sum(1 for e in ends if e.get("cached"))
    return len(ends) - hits, hits


def _checked(events: list[dict[str, Any]], results: dict, node: str, output: float, planned: int) -> None:
    final = events[-1]
    ended = {e["node_id"] for e in events if e.get("status") == "completed"}
    outputs = [e.get("output") for e in events if e.get("node_id") == node and e.get("status") == "completed"]
    if final != {"status": "done", "results": results} or outputs != [output] or len(ended) != planned:
        raise RuntimeError(f"wrong answer: {final}, {node} gave {outputs}, {len(ended)} of {planned} nodes ended")


def run_partial_runs(url: str, repeats: int) -> dict:
    """{row: {"target", "planned", "partial_ms", "full_ms", "partial_ran", "full_ran", ...}}."""
    results: dict[str, dict] = {}
    with httpx.Client(base_url=url, timeout=120) as client:
        for index, (row, n, sleep_ms, target) in enumerate(WORKLOADS):
            partial_ms: list[float] = []
            full_ms: list[float] = []
            counts: dict[str, set[tuple[int, int]]] = {"partial": set(), "full": set()}
            planned = int(target[1:]) + 1  # the start variable and n1..target
            for repeat in range(repeats):
                start, end = 3e7 + 1e6 * index + 1000.0 * repeat, 0.5
                body = chain_graph(start, end, n, sleep_ms)
                _stream(client, body)  # cold: fills the cache
                for _ in range(SAMPLES):
                    took, events = _stream(client, body)
                    _checked(events, {"view": start + end}, "last", start + end, n + 3)
                    full_ms.append(took)
                    counts["full"].add(_counts(events))
                    took, events = _stream(client, {**body, "targets": [target]})
                    _checked(events, {}, target, start, planned)
                    partial_ms.append(took)
                    counts["partial"].add(_counts(events))
            results[row] = {
                "target": target,
                "planned": planned,
                "nodes": n + 3,
                "partial_ms": statistics.median(partial_ms),
                "full_ms": statistics.median(full_ms),
                "partial_ran_hits": sorted(counts["partial"]),
                "full_ran_hits": sorted(counts["full"]),
            }
    return results


def _pairs(pairs: list[list[int]] | list[tuple[int, int]]) -> str:
    return "/".join(f"{ran} run, {hits} cached" for ran, hits in pairs)


def render_partial_runs(results: dict | None) -> str:
    if not results:
        return "\n## Partial runs\n\nnot measured (see the log above)\n"
    lines = [
        "",
        "## Partial runs (default configuration, /execute/stream, unchanged since the last run; medians)",
        "",
        "| row | run to | partial ms | full ms | partial/full | partial: functions | full: functions |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for row, entry in results.items():
        lines.append(
            f"| {row} | {entry['target']} ({entry['planned']} of {entry['nodes']} nodes) "
            f"| {entry['partial_ms']:.1f} | {entry['full_ms']:.1f} | {entry['partial_ms'] / entry['full_ms']:.2f} "
            f"| {_pairs(entry['partial_ran_hits'])} | {_pairs(entry['full_ran_hits'])} |"
        )
    return "\n".join(lines) + "\n"
