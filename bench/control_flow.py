"""Control flow's cost, measured on a stack in its default configuration.

- ``map_64_sleep``: a map over 64 items of a workflow that is one ``sleep_ms(100)``,
  with the map's concurrency at 64, beside the ideal: 64 × 100 ms spread over every
  runner thread the stack has (runners × PSYNAPSE_RUNNER_CONCURRENCY).
- ``subgraph_overhead``: a run of one ``identity`` node inside a subgraph, beside the
  same node inline (variable -> identity -> view either way): what planning a saved
  workflow into the run costs.

Every repeat uses inputs no earlier run used, so the output cache never answers.
"""

from __future__ import annotations

import statistics
import time

import httpx

ITEMS = 64
SLEEP_MS = 100


def _var(node_id: str, value: object, kind: str = "Number", **extra: object) -> dict:
    return {"id": node_id, "type": "variableNode", "data": {"variableType": kind, "variableValue": value, **extra}}


def _edge(source: str, target: str, handle: str, source_handle: str = "output") -> dict:
    return {"source": source, "target": target, "sourceHandle": source_handle, "targetHandle": handle}


def _view(node_id: str, name: str | None = None) -> dict:
    return {"id": node_id, "type": "viewNode", "data": {"viewName": name} if name else {}}


def _fn(node_id: str, name: str, **data: object) -> dict:
    return {"id": node_id, "type": "functionNode", "data": {"functionName": name, **data}}


SLEEPY = {
    "nodes": [_var("x", "0", variableName="x"), _fn("s", "sleep_ms", ms=SLEEP_MS), _view("out", "result")],
    "edges": [_edge("x", "s", "x"), _edge("s", "out", "input")],
}
IDENTITY = {
    "nodes": [_var("x", "0", variableName="x"), _fn("i", "identity"), _view("out", "result")],
    "edges": [_edge("x", "i", "x"), _edge("i", "out", "input")],
}


def _map_body(offset: int) -> dict:
    items = [offset + i for i in range(ITEMS)]
    return {
        "nodes": [
            _var("xs", str(items), "List"),
            {
                "id": "m",
                "type": "mapNode",
                "data": {"workflow": "bench_sleepy", "itemInput": "x", "concurrency": ITEMS},
            },
            _view("v"),
        ],
        "edges": [_edge("xs", "m", "items"), _edge("m", "v", "input")],
    }


def _inline_body(value: float) -> dict:
    return {
        "nodes": [_var("a", str(value)), _fn("i", "identity"), _view("v")],
        "edges": [_edge("a", "i", "x"), _edge("i", "v", "input")],
    }


def _subgraph_body(value: float) -> dict:
    return {
        "nodes": [
            _var("a", str(value)),
            {"id": "s", "type": "subgraphNode", "data": {"workflow": "bench_identity"}},
            _view("v"),
        ],
        "edges": [_edge("a", "s", "x"), _edge("s", "v", "input", "result")],
    }


def _timed(client: httpx.Client, body: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    response = client.post("/execute", json=body)
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"/execute answered {response.status_code}: {response.text[:300]}")
    return took, response.json()


def run_control_flow(url: str, repeats: int, slots: int) -> dict:
    """Medians in ms; ``slots``: the stack's runner threads (runners × concurrency)."""
    with httpx.Client(base_url=url, timeout=120) as client:
        for name, body in (("bench_sleepy", SLEEPY), ("bench_identity", IDENTITY)):
            saved = client.put(f"/workflows/{name}", json=body)
            if saved.status_code not in (200, 201):
                raise RuntimeError(f"saving {name}: {saved.status_code} {saved.text[:200]}")
        maps = []
        for repeat in range(max(3, repeats // 2)):
            offset = 1_000_000 + repeat * ITEMS + int(time.time())
            took, answer = _timed(client, _map_body(offset))
            if answer != {"results": {"v": [float(offset + i) for i in range(ITEMS)]}}:
                raise RuntimeError(f"map_64_sleep answered {str(answer)[:200]}")
            maps.append(took)
        inline, nested = [], []
        for repeat in range(repeats * 20):
            value = time.time() + repeat
            # Side by side, alternating, so the machine's noise falls on both.
            took, answer = _timed(client, _inline_body(value))
            inline.append(took)
            took_nested, nested_answer = _timed(client, _subgraph_body(value + 0.5))
            if answer != {"results": {"v": value}} or nested_answer != {"results": {"v": value + 0.5}}:
                raise RuntimeError(f"subgraph_overhead answered {answer} / {nested_answer}")
            nested.append(took_nested)
    ideal = ITEMS * SLEEP_MS / slots
    return {
        "map_64_sleep_ms": statistics.median(maps),
        "map_64_sleep_ideal_ms": ideal,
        "slots": slots,
        "inline_ms": statistics.median(inline),
        "subgraph_ms": statistics.median(nested),
    }


def render_control_flow(results: dict | None) -> str:
    if not results:
        return "\n## Control flow\n\nnot measured (see the log above)\n"
    m, ideal = results["map_64_sleep_ms"], results["map_64_sleep_ideal_ms"]
    inline, nested = results["inline_ms"], results["subgraph_ms"]
    return "\n".join(
        [
            "",
            "## Control flow (default configuration, medians)",
            "",
            "| workload | psynapse ms | beside | ratio |",
            "|---|---:|---:|---:|",
            f"| map_64_sleep ({ITEMS} × sleep_ms({SLEEP_MS}), concurrency {ITEMS}) | {m:.1f} "
            f"| ideal {ideal:.1f} ({results['slots']} runner threads) | {m / ideal:.2f} |",
            f"| subgraph_overhead (identity in a subgraph) | {nested:.2f} | inline {inline:.2f} "
            f"| {nested / inline:.2f} (+{nested - inline:.2f} ms) |",
            "",
        ]
    )
