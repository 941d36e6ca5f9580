"""Cutting a plan into segments, alone: a plan and what is heavy in, the segments out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psynapse_common.graph import build_plan
from psynapse_common.messages import CatalogNode, GraphEdge, GraphNode
from psynapse_common.segments import Segment, cut

CATALOG = {
    "add": CatalogNode(name="add", kind="function", pack="p", params=["a", "b"]),
    "sleep": CatalogNode(name="sleep", kind="function", pack="p", params=["a", "b"]),
    "gpu_op": CatalogNode(name="gpu_op", kind="function", pack="p", pool="gpu", params=["a", "b"]),
}


def fn(node_id: str, name: str = "add") -> GraphNode:
    return GraphNode(id=node_id, type="functionNode", data={"functionName": name})


def var(node_id: str) -> GraphNode:
    return GraphNode(id=node_id, type="variableNode", data={"variableType": "Number", "variableValue": 1})


def view(node_id: str) -> GraphNode:
    return GraphNode(id=node_id, type="viewNode")


def e(source: str, target: str, handle: str = "a") -> GraphEdge:
    return GraphEdge(source=source, target=target, source_handle="output", target_handle=handle)


def segments(graph_nodes, edges, heavy=(), **kwargs) -> list[list[str]]:
    return [s.nodes for s in cut(build_plan(graph_nodes, edges, CATALOG), set(heavy), **kwargs)]


def test_a_run_of_quick_nodes_is_one_segment_in_plan_order():
    # The spec's example: four variables, three quick functions, a list, two views.
    nodes = [
        var("V1"),
        var("V2"),
        var("V3"),
        var("V4"),
        fn("F1"),
        fn("F2"),
        fn("F3"),
        GraphNode(id="L", type="listNode"),
        view("W1"),
        view("W2"),
    ]
    edges = [
        e("V1", "F1"),
        e("V2", "F1", "b"),
        e("V3", "F2"),
        e("V4", "F2", "b"),
        e("F1", "F3"),
        e("F2", "F3", "b"),
        e("F1", "L", "input-0"),
        e("F2", "L", "input-1"),
        e("F3", "W1", "input"),
        e("L", "W2", "input"),
    ]
    assert segments(nodes, edges) == [["V1", "V2", "V3", "V4", "F1", "F2", "F3", "L", "W1", "W2"]]


def test_parallel_slow_nodes_get_segments_of_their_own_with_what_only_they_feed():
    nodes = [fn(f"s{i}", "sleep") for i in range(4)] + [view(f"w{i}") for i in range(4)]
    edges = [e(f"s{i}", f"w{i}", "input") for i in range(4)]
    heavy = {f"s{i}" for i in range(4)}
    assert segments(nodes, edges, heavy) == [[f"s{i}", f"w{i}"] for i in range(4)]


def test_a_shared_variable_rides_with_its_first_slow_consumer():
    nodes = [var("v"), fn("a", "sleep"), fn("b", "sleep")]
    assert segments(nodes, [e("v", "a"), e("v", "b")], {"a", "b"}) == [["v", "a"], ["b"]]


def test_a_chain_is_one_segment_whatever_its_weight():
    nodes = [var("v"), fn("a", "sleep"), fn("b"), fn("c", "sleep"), view("w")]
    edges = [e("v", "a"), e("a", "b"), e("b", "c"), e("c", "w", "input")]
    assert segments(nodes, edges, {"a", "c"}) == [["v", "a", "b", "c", "w"]]


def test_a_quick_node_fed_by_two_parallel_slow_ones_waits_in_a_segment_of_its_own():
    nodes = [fn("a", "sleep"), fn("b", "sleep"), fn("sum"), view("w")]
    edges = [e("a", "sum"), e("b", "sum", "b"), e("sum", "w", "input")]
    assert segments(nodes, edges, {"a", "b"}) == [["a"], ["b"], ["sum", "w"]]


def test_quick_nodes_run_before_a_slow_one_they_do_not_need():
    # b needs only v; given after the slow a, it still runs first, so c can start sooner.
    nodes = [var("v"), fn("a", "sleep"), fn("b"), fn("c", "sleep")]
    edges = [e("v", "a"), e("v", "b"), e("b", "c")]
    assert segments(nodes, edges, {"a", "c"}) == [["v", "b", "a"], ["c"]]


def test_pools_never_mix_and_a_pool_sandwich_stays_three_segments():
    nodes = [fn("a"), fn("g", "gpu_op"), fn("c"), view("w")]
    edges = [e("a", "g"), e("g", "c"), e("c", "w", "input")]
    result = cut(build_plan(nodes, edges, CATALOG), set())
    assert [(s.nodes, s.pool) for s in result] == [(["a"], "default"), (["g"], "gpu"), (["c", "w"], "default")]


def test_a_run_of_built_ins_only_goes_to_the_default_pool():
    assert cut(build_plan([var("v"), view("w")], [e("v", "w", "input")], CATALOG), set()) == [
        Segment(["v", "w"], "default")
    ]


def test_segments_are_bounded_in_size():
    nodes = [var("v")] + [fn(f"n{i}") for i in range(10)]
    edges = [e("v", "n0")] + [e(f"n{i}", f"n{i + 1}") for i in range(9)]
    assert [len(s) for s in segments(nodes, edges, max_nodes=4)] == [4, 4, 3]


def test_only_the_nodes_asked_for_are_cut():
    nodes = [var("v"), fn("a"), fn("b"), view("w")]
    edges = [e("v", "a"), e("a", "b"), e("b", "w", "input")]
    assert segments(nodes, edges, nodes=["b", "w"]) == [["b", "w"]]
    assert segments(nodes, edges, nodes=[]) == []


# -- any graph: the cut is always one a runner can execute, and keeps slow work parallel --
@st.composite
def dags(draw):
    count = draw(st.integers(min_value=1, max_value=24))
    kinds = draw(st.lists(st.sampled_from(["var", "view", "add", "gpu_op"]), min_size=count, max_size=count))
    nodes = []
    for i, kind in enumerate(kinds):
        nodes.append(var(f"n{i}") if kind == "var" else view(f"n{i}") if kind == "view" else fn(f"n{i}", kind))
    edges = []
    for target in range(count):
        if kinds[target] == "var":
            continue
        sources = [s for s in range(target) if kinds[s] != "view"]
        if kinds[target] == "view":
            picked = draw(st.lists(st.sampled_from(sources), max_size=1)) if sources else []
            edges += [e(f"n{s}", f"n{target}", "input") for s in picked]
            continue
        picked = draw(st.lists(st.sampled_from(sources), max_size=2, unique=True)) if sources else []
        edges += [e(f"n{s}", f"n{target}", handle) for s, handle in zip(picked, ["a", "b"], strict=False)]
    heavy = {f"n{i}" for i in draw(st.sets(st.integers(0, count - 1))) if kinds[i] in ("add", "gpu_op")}
    max_nodes = draw(st.sampled_from([3, 1000]))
    return nodes, edges, heavy, max_nodes


def _ancestors(plan) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node_id in plan.order:
        found[node_id] = set()
        for pred in plan.predecessors[node_id]:
            found[node_id] |= found[pred] | {pred}
    return found


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_any_cut_is_executable_and_keeps_slow_work_parallel(case):
    nodes, edges, heavy, max_nodes = case
    plan = build_plan(nodes, edges, CATALOG)
    result = cut(plan, heavy, max_nodes=max_nodes)
    owner = {node_id: i for i, segment in enumerate(result) for node_id in segment.nodes}
    assert sorted(owner) == sorted(plan.order) and sum(len(s.nodes) for s in result) == len(plan.order)
    ancestors = _ancestors(plan)
    for i, segment in enumerate(result):
        assert len(segment.nodes) <= max_nodes
        pools = {plan.functions[n].pool for n in segment.nodes if n in plan.functions}
        assert pools <= {segment.pool} and len(pools) <= 1
        for position, node_id in enumerate(segment.nodes):
            # In-segment inputs come earlier in the segment.
            for pred in plan.predecessors[node_id]:
                if owner[pred] == i:
                    assert segment.nodes.index(pred) < position
        slow = [n for n in segment.nodes if n in heavy]
        for a in slow:
            for b in slow:
                assert a == b or a in ancestors[b] or b in ancestors[a], (segment, a, b)
    # The segments' own dependencies have no cycle: they can start one after another.
    waits = {i: {owner[p] for n in s.nodes for p in plan.predecessors[n]} - {i} for i, s in enumerate(result)}
    started: set[int] = set()
    while len(started) < len(result):
        startable = [i for i in waits if i not in started and waits[i] <= started]
        assert startable, waits
        started.update(startable)
