"""Partial runs over HTTP: a run to some nodes plans them and their ancestors only, on a
stack in its default configuration (output cache on), so unchanged ancestors come from
the cache and a changed parameter re-runs only what it changes on the way to the target."""

from __future__ import annotations

import itertools

import pytest

from tests.support.graphs import by_node, edge, fn, graph, runs_submitted, settled, sse_events, stream, var, view
from tests.support.stack import stack_with_packs

# Slower than the cache's threshold (PSYNAPSE_CACHE_MIN_CALL_MS), so in the default
# configuration its output is always worth caching: a hit here is the cache's doing.
SLOW_MATH = '''
import time


def slow_add(a: float, b: float = 0, ms: int = 3) -> float:
    """a + b, after ms milliseconds."""
    time.sleep(ms / 1000)
    return a + b
'''

# a -> P -> M -> T1 -> W1 (view), and P -> T2; downstream of T1: D -> W2; beside: k -> U -> W3.
TARGETS = ["W1", "T2"]
RUN_TO_TARGETS = {"a", "P", "M", "T1", "W1", "T2"}
FUNCTIONS_RUN = {"P", "M", "T1", "T2"}
_seeds = itertools.count(1)


@pytest.fixture(scope="module")
def stack(nats_server, tmp_path_factory):
    with stack_with_packs(nats_server.url, tmp_path_factory.mktemp("partial"), {"slowmath": SLOW_MATH}) as running:
        yield running


def seed() -> float:
    """A start value no other run of this module used: its first run is a real cold run."""
    return float(1000 * next(_seeds))


def partial_graph(start: float, m_b: float = 2, **extra) -> dict:
    return graph(
        [
            var("a", str(start)),
            var("k", "1"),
            fn("P", "slow_add", b=0),
            fn("M", "slow_add", b=m_b),
            fn("T1", "slow_add", b=10),
            fn("T2", "slow_add", b=100),
            view("W1"),
            fn("D", "slow_add", b=1000),
            view("W2"),
            fn("U", "slow_add", b=5),
            view("W3"),
        ],
        [
            edge("a", "P", "a"),
            edge("P", "M", "a"),
            edge("M", "T1", "a"),
            edge("T1", "W1"),
            edge("P", "T2", "a"),
            edge("T1", "D", "a"),
            edge("D", "W2"),
            edge("k", "U", "a"),
            edge("U", "W3"),
        ],
        **extra,
    )


def run(stack, body: dict) -> tuple[dict, dict[str, list[dict]], str]:
    """(final event, events by node, run id) of one streamed run."""
    with stack.client(timeout=60) as client:
        headers, events = stream(client, body)
    return events[-1][1], by_node(events), headers["x-run-id"]


def ran(nodes: dict[str, list[dict]]) -> set[str]:
    """Function nodes that executed (completed, not from the cache)."""
    return {
        node_id
        for node_id, events in nodes.items()
        if node_id in FUNCTIONS_RUN and any(e["status"] == "completed" and not e.get("cached") for e in events)
    }


def test_targets_with_shared_ancestors_run_each_ancestor_once_and_nothing_else(stack):
    start = seed()
    final, nodes, run_id = run(stack, partial_graph(start, targets=TARGETS))
    assert final == {"status": "done", "results": {"W1": start + 12}}
    # No event at all for what the targets do not need (D, U and the views after them).
    assert set(nodes) == RUN_TO_TARGETS
    for node_id, events in nodes.items():
        ends = [e for e in events if e["status"] != "executing"]
        assert [e["status"] for e in ends] == ["completed"], (node_id, events)
    assert nodes["T2"][-1]["output"] == start + 100
    with stack.client() as client:
        detail = settled(client, run_id)
        recorded = client.get(f"/runs/{run_id}/graph").json()
        # /execute folds the same run: the results hold the targets' views only.
        folded = client.post("/execute", json=partial_graph(start, targets=TARGETS))
    assert set(detail["nodes"]) == RUN_TO_TARGETS and detail["node_count"] == len(RUN_TO_TARGETS)
    assert detail["results"] == {"W1": start + 12} and detail["status"] == "done"
    # The record keeps the whole graph as sent (the editor reopens it), and what it ran to.
    assert len(recorded["nodes"]) == 11 and recorded["targets"] == TARGETS
    assert folded.status_code == 200 and folded.json() == {"results": {"W1": start + 12}}


def test_a_second_partial_run_is_answered_from_the_cache_and_a_change_reruns_only_its_way_to_the_target(stack):
    start = seed()
    _, cold, _ = run(stack, partial_graph(start, targets=TARGETS))
    assert ran(cold) == FUNCTIONS_RUN
    again, warm, run_id = run(stack, partial_graph(start, targets=TARGETS))
    assert again["results"] == {"W1": start + 12}
    assert ran(warm) == set()
    assert all(warm[n][-1].get("cached") for n in FUNCTIONS_RUN)
    with stack.client() as client:
        detail = settled(client, run_id)
    assert {n for n, node in detail["nodes"].items() if node["cached"]} == FUNCTIONS_RUN
    # M's own parameter changes: M and T1 (fed by it) run; P and T2 are still hits.
    changed, nodes, _ = run(stack, partial_graph(start, m_b=3, targets=TARGETS))
    assert changed["results"] == {"W1": start + 13}
    assert ran(nodes) == {"M", "T1"}
    assert set(nodes) == RUN_TO_TARGETS


def test_a_full_run_after_a_partial_one_runs_only_what_the_partial_run_left_out(stack):
    start = seed()
    run(stack, partial_graph(start, targets=["T1"]))
    final, nodes, _ = run(stack, partial_graph(start))
    assert final["results"] == {"W1": start + 12, "W2": start + 1012, "W3": 6.0}
    assert ran(nodes) == {"T2"}  # D and U run too, but are not among FUNCTIONS_RUN
    assert not nodes["D"][-1].get("cached")


def test_an_unknown_target_is_a_400_naming_it_and_nothing_runs(stack):
    before = runs_submitted(stack.nats_url)
    with stack.client() as client:
        for body in (partial_graph(seed(), targets=["T1", "nope"]), partial_graph(seed(), targets=["nope"])):
            answer = client.post("/execute", json=body)
            assert answer.status_code == 400
            assert answer.json()["detail"] == "Target node 'nope' is not in the graph"
            with client.stream("POST", "/execute/stream", json=body) as streamed:
                assert streamed.status_code == 400
                assert "Target node 'nope'" in streamed.read().decode()
        empty = client.post("/execute", json=partial_graph(seed(), targets=[]))
        assert empty.status_code == 400 and "targets is empty" in empty.json()["detail"]
        several = client.post("/execute", json=partial_graph(seed(), targets=["x", "T1", "y"]))
        assert several.json()["detail"] == "Target nodes 'x', 'y' are not in the graph"
    assert runs_submitted(stack.nats_url) == before


def test_a_saved_workflow_runs_to_its_targets(stack):
    start = seed()
    body = partial_graph(start)
    for node in body["nodes"]:
        if node["id"] == "a":
            node["data"]["variableName"] = "start"
    with stack.client(timeout=60) as client:
        assert client.put("/workflows/partial", json=body).status_code == 200
        answer = client.post("/workflows/partial/run", json={"inputs": {"start": start + 1}, "targets": ["W1"]})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"results": {"W1": start + 13}}
        detail = settled(client, answer.headers["x-run-id"])
        assert set(detail["nodes"]) == {"a", "P", "M", "T1", "W1"} and detail["workflow"] == "partial"
        with client.stream(
            "POST",
            "/workflows/partial/run",
            json={"targets": ["T2"]},
            headers={"Accept": "text/event-stream"},
        ) as streamed:
            events = [data for _, data in sse_events(streamed)]
        assert {e["node_id"] for e in events if "node_id" in e} == {"a", "P", "T2"}
        assert events[-1] == {"status": "done", "results": {}}
        unknown = client.post("/workflows/partial/run", json={"targets": ["W9"]})
        assert unknown.status_code == 400 and unknown.json()["detail"] == "Target node 'W9' is not in the graph"
