"""The pure graph module: validation, order, scheduling."""

from __future__ import annotations

import pytest

from psynapse_common.graph import GraphError, Schedule, build_plan
from psynapse_common.messages import CatalogNode, GraphEdge, GraphNode

CATALOG = {
    "add": CatalogNode(name="add", kind="function", pack="p", params=["a", "b"]),
    "split": CatalogNode(name="split", kind="function", pack="p", params=["t"], output_keys=["l", "r"]),
    "gpu_op": CatalogNode(name="gpu_op", kind="function", pack="p", pool="gpu", params=["a"]),
}


def fn(node_id: str, name: str = "add") -> GraphNode:
    return GraphNode(id=node_id, type="functionNode", data={"functionName": name})


def e(source: str, target: str, handle: str = "a", source_handle: str = "output") -> GraphEdge:
    return GraphEdge(source=source, target=target, source_handle=source_handle, target_handle=handle)


def test_order_is_topological_with_ties_in_given_order():
    nodes = [fn("c"), fn("a"), fn("b"), fn("d")]
    plan = build_plan(nodes, [e("a", "d"), e("b", "d", "b")], CATALOG)
    assert plan.order == ["c", "a", "b", "d"]


def test_cycle_is_named_along_its_path():
    nodes = [fn("x"), fn("y"), fn("z"), fn("free")]
    with pytest.raises(GraphError, match=r"Graph contains a cycle: y -> z -> y"):
        build_plan(nodes, [e("x", "y"), e("y", "z"), e("z", "y", "b")], CATALOG)
    with pytest.raises(GraphError, match=r"x -> x"):
        build_plan([fn("x")], [e("x", "x")], CATALOG)


def test_long_cycle_does_not_hit_recursion_limit():
    nodes = [fn(f"n{i}") for i in range(5000)]
    edges = [e(f"n{i}", f"n{(i + 1) % 5000}") for i in range(5000)]
    with pytest.raises(GraphError, match="cycle"):
        build_plan(nodes, edges, CATALOG)


@pytest.mark.parametrize(
    ("nodes", "edges", "message"),
    [
        ([fn("a"), fn("a")], [], "Duplicate node id 'a'"),
        ([GraphNode(id="a", type="mystery")], [], "unknown type 'mystery'"),
        ([fn("a", "nope")], [], "Node 'a': unknown function 'nope'"),
        ([GraphNode(id="a", type="functionNode", data={})], [], "has no functionName"),
        ([fn("a")], [e("ghost", "a")], "references missing node 'ghost'"),
        ([fn("a"), fn("b")], [e("a", "b", "q")], "not a parameter of add"),
        ([fn("a", "split"), fn("b")], [e("a", "b", "a", "middle")], "has outputs l, r"),
        ([fn("a"), GraphNode(id="v", type="variableNode")], [e("a", "v")], "takes no inputs"),
        ([fn("a"), GraphNode(id="l", type="listNode")], [e("a", "l", "first")], "input-0"),
    ],
)
def test_graph_errors(nodes, edges, message):
    with pytest.raises(GraphError, match=message):
        build_plan(nodes, edges, CATALOG)


def test_list_inputs_sort_numerically():
    nodes = [fn("a"), fn("b"), fn("c"), GraphNode(id="l", type="listNode")]
    edges = [e("a", "l", "input-10"), e("b", "l", "input-2"), e("c", "l", "input-0")]
    plan = build_plan(nodes, edges, CATALOG)
    assert [edge.source for edge in plan.incoming["l"]] == ["c", "b", "a"]


def test_schedule_is_done_once_every_node_ended_however():
    nodes = [fn("a"), fn("b"), fn("c")]
    schedule = Schedule(build_plan(nodes, [e("a", "c"), e("b", "c", "b"), e("a", "c", "b")], CATALOG))
    schedule.complete("a")
    schedule.fail("a", "late")  # a late copy of another end changes nothing
    assert schedule.finished == {"a"} and not schedule.failed
    schedule.complete("b")
    assert not schedule.done
    schedule.fail("c", "boom")
    assert schedule.done


def test_failure_cascades_to_dependants_with_the_failed_input():
    nodes = [fn("a"), fn("b"), fn("c"), fn("side")]
    schedule = Schedule(build_plan(nodes, [e("a", "b"), e("b", "c", "b")], CATALOG))
    skipped = schedule.fail("a", "boom")
    assert [node for node, _ in skipped] == ["b", "c"]
    assert "Input 'a' failed: node 'a' (add)" in skipped[0][1]
    assert "Input 'b' failed: node 'b' (add)" in skipped[1][1]
    schedule.complete("side")
    assert schedule.done


def test_a_stopped_run_cancels_the_dependants_of_a_node_it_ended():
    from psynapse_common.graph import CANCELLED

    schedule = Schedule(build_plan([fn("a"), fn("b"), fn("c")], [e("a", "b"), e("b", "c", "b")], CATALOG))
    assert schedule.fail("a", CANCELLED, CANCELLED) == [("b", CANCELLED), ("c", CANCELLED)]
    assert set(schedule.failed.values()) == {CANCELLED}


def test_a_node_that_never_ran_is_told_from_one_that_failed():
    from psynapse_common.graph import CANCELLED, Schedule, error_kind

    nodes = [
        GraphNode(id="a", type="variableNode", data={"variableType": "Number", "variableValue": 1}),
        GraphNode(id="l", type="listNode"),
        GraphNode(id="w", type="viewNode"),
    ]
    edges = [
        GraphEdge(source="a", target="l", target_handle="input-0"),
        GraphEdge(source="l", target="w", target_handle="input"),
    ]
    schedule = Schedule(build_plan(nodes, edges, {}))
    skipped = schedule.fail("a", "boom")
    assert [error_kind(reason) for _, reason in skipped] == ["upstream", "upstream"]
    assert error_kind("boom") is None and error_kind(None) is None and error_kind(CANCELLED) == "cancelled"
    assert error_kind("Input 'a' failed: because I say so") is None
