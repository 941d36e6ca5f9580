"""Incremental re-runs: what the output cache saves, measured on a stack with the cache on.

Two graphs from the shared bench nodepack, each run cold (nothing cached), again
unchanged (everything cached), and changed:

- the spec's example (example48): V1 changed, so F1 and F3 run again, F2 is cached;
- a 100-node chain: variable -> 99 ``identity`` -> ``add`` (whose b is a second
  variable) -> view. Changing the variable feeding only the last node runs 1 node;
  changing the start variable runs all 100. ``identity`` costs microseconds, so this
  measures the cache's own overhead; the same chain of 20 ``sleep_ms(ms=20)`` nodes
  shows what it saves when nodes do work.

Every repeat uses values no earlier run used, so "cold" really is cold; a run with
``"cache": false`` gives the cost without the cache. A node counts as run when its
completed event is not ``cached`` (GET /runs/{id}).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx

CHAIN = 100
BUILTINS = {"Variable", "List", "View"}


def _var(node_id: str, value: float) -> dict:
    return {"id": node_id, "type": "variableNode", "data": {"variableType": "Number", "variableValue": str(value)}}


def _fn(node_id: str, name: str, **data: object) -> dict:
    return {"id": node_id, "type": "functionNode", "data": {"functionName": name, **data}}


def _edge(source: str, target: str, handle: str) -> dict:
    return {"source": source, "target": target, "sourceHandle": "output", "targetHandle": handle}


def example_graph(v1: float, v2: float, v3: float, v4: float) -> dict:
    nodes = [
        _var("V1", v1),
        _var("V2", v2),
        _var("V3", v3),
        _var("V4", v4),
        _fn("F1", "add", a=0, b=0),
        _fn("F2", "add", a=0, b=0),
        _fn("F3", "multiply", a=0, b=0),
        {"id": "L1", "type": "listNode", "data": {}},
        {"id": "View", "type": "viewNode", "data": {}},
        {"id": "ListView", "type": "viewNode", "data": {}},
    ]
    edges = [
        _edge("V1", "F1", "a"),
        _edge("V2", "F1", "b"),
        _edge("V3", "F2", "a"),
        _edge("V4", "F2", "b"),
        _edge("F1", "F3", "a"),
        _edge("F2", "F3", "b"),
        _edge("F1", "L1", "input-0"),
        _edge("F2", "L1", "input-1"),
        _edge("F3", "View", "input"),
        _edge("L1", "ListView", "input"),
    ]
    return {"nodes": nodes, "edges": edges}


def chain_graph(start: float, end: float, n: int = CHAIN, sleep_ms: int = 0) -> dict:
    """start -> identity (or sleep_ms) x (n-1) -> add(b=end) -> view: n function nodes."""
    nodes = [_var("start", start), _var("end", end)]
    edges = []
    previous = "start"
    for i in range(1, n):
        step = _fn(f"n{i}", "sleep_ms", x=0, ms=sleep_ms) if sleep_ms else _fn(f"n{i}", "identity", x=0)
        nodes.append(step)
        edges.append(_edge(previous, f"n{i}", "x"))
        previous = f"n{i}"
    nodes += [_fn("last", "add", a=0, b=0), {"id": "view", "type": "viewNode", "data": {}}]
    edges += [_edge(previous, "last", "a"), _edge("end", "last", "b"), _edge("last", "view", "input")]
    return {"nodes": nodes, "edges": edges}


def _run(client: httpx.Client, body: dict, expected: dict) -> tuple[float, int]:
    """Wall ms of one /execute, and how many function nodes actually ran."""
    started = time.perf_counter()
    response = client.post("/execute", json=body)
    took = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    if response.json() != {"results": expected}:
        raise RuntimeError(f"wrong answer: {str(response.json())[:300]}")
    run = client.get(f"/runs/{response.headers['x-run-id']}").json()
    ran = sum(
        1
        for node in run["nodes"].values()
        if node["node_name"] not in BUILTINS and node["status"] == "completed" and not node["cached"]
    )
    return took, ran


def _example_steps(i: int) -> list[tuple[str, dict, dict]]:
    v = [10.0 * i + 5, 10.0 * i + 3, 10.0 * i + 2, 10.0 * i + 4]

    def case(v1: float) -> tuple[dict, dict]:
        a, b = v1 + v[1], v[2] + v[3]
        return example_graph(v1, *v[1:]), {"View": a * b, "ListView": [a, b]}

    return [("cold", *case(v[0])), ("unchanged", *case(v[0])), ("V1 changed", *case(v[0] + 1))]


def _chain_steps(i: int, n: int = CHAIN, sleep_ms: int = 0) -> list[tuple[str, dict, dict]]:
    # Values of their own per workload: `add` is content-addressed, so the last node
    # of one chain would otherwise be a (correct) hit from the other.
    start, end = 1000.0 * i + 1 + 10**6 * sleep_ms, 1000.0 * i + 500

    def case(s: float, e: float) -> tuple[dict, dict]:
        return chain_graph(s, e, n, sleep_ms), {"view": s + e}

    return [
        ("cold", *case(start, end)),
        ("unchanged", *case(start, end)),
        ("last node's variable changed", *case(start, end + 1)),
        ("start variable changed", *case(start + 1, end + 1)),
    ]


WORKLOADS: dict[str, Callable[[int], list[tuple[str, dict, dict]]]] = {
    "example48": _example_steps,
    f"chain_{CHAIN}": _chain_steps,
    "chain_20_sleep_20ms": lambda i: _chain_steps(i, 21, 20),
}


def run_incremental(url: str, repeats: int = 5) -> dict:
    """{workload: {step: {"wall_ms": {median,min,max}, "ran": [...]}}}."""
    results: dict[str, dict] = {}
    with httpx.Client(base_url=url, timeout=120) as client:
        # Warm the stack (code loaded, quick functions learnt) without touching the cache.
        for steps in WORKLOADS.values():
            for i in range(3):
                _, body, expected = steps(-1 - i)[0]
                _run(client, {**body, "cache": False}, expected)
        for name, steps in WORKLOADS.items():
            samples: dict[str, dict[str, list]] = {}
            for i in range(repeats):
                _, reference, answer = steps(10_000 + i)[0]  # the same shape, "cache": false
                for label, body, expected in [("cache off", {**reference, "cache": False}, answer), *steps(i)]:
                    took, ran = _run(client, body, expected)
                    entry = samples.setdefault(label, {"wall_ms": [], "ran": []})
                    entry["wall_ms"].append(took)
                    entry["ran"].append(ran)
            results[name] = {
                label: {
                    "wall_ms": {
                        "median": statistics.median(e["wall_ms"]),
                        "min": min(e["wall_ms"]),
                        "max": max(e["wall_ms"]),
                    },
                    "ran": e["ran"],
                }
                for label, e in samples.items()
            }
    return results


def render_incremental(results: dict | None, repeats: int) -> str:
    lines = ["", "## Incremental re-runs (output cache on)", ""]
    if not results:
        return "\n".join(lines + ["Not measured (no healthy server or a wrong answer; see stderr).", ""])
    lines += [
        (
            f"Median of {repeats} repeats, fresh values each; `ran` = function nodes that executed "
            "(not answered from the cache)."
        ),
        "",
        "| workload | run | median ms | min ms | max ms | ran |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for workload, steps in results.items():
        for label, entry in steps.items():
            ran = sorted(set(entry["ran"]))
            wall = entry["wall_ms"]
            lines.append(
                f"| {workload} | {label} | {wall['median']:.1f} | {wall['min']:.1f} | {wall['max']:.1f} "
                f"| {'/'.join(str(r) for r in ran)} |"
            )
    return "\n".join(lines) + "\n"
