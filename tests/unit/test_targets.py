"""Partial runs, planned: a graph cut down to its targets and their ancestors before it is
planned, so nothing else is checked, fetched or run. Pure: workflows come from a dict."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import msgspec
import pytest

from psynapse_common.graph import GraphError, Plan, Workflow, WorkflowRef
from psynapse_common.messages import GraphEdge, GraphNode
from psynapse_common.nodepacks import load_catalog
from psynapse_common.subgraphs import plan_graph, workflow_from_saved
from psynapse_common.targets import TargetError, ancestors, to_targets
from psynapse_schema.catalog import snapshot_of
from tests.support.graphs import edge, fn, spec_example, var, view

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    root = tmp_path_factory.mktemp("packs")
    shutil.copytree(REPO / "nodepacks" / "basic", root / "basic")
    return snapshot_of(load_catalog(root), 1).nodes


def parts(body: dict) -> tuple[list[GraphNode], list[GraphEdge]]:
    return msgspec.convert(body["nodes"], list[GraphNode]), msgspec.convert(body["edges"], list[GraphEdge])


def plan(catalog, body: dict, targets: list[str] | None, **saved: dict) -> tuple[Plan, list[str]]:
    """The plan, and the workflows planning asked for."""
    asked: list[str] = []
    workflows = {name: workflow_from_saved(name, 1, graph) for name, graph in saved.items()}

    async def load(ref: WorkflowRef) -> Workflow | None:
        asked.append(ref.name)
        return workflows.get(ref.name)

    nodes, edges = parts(body)
    return asyncio.run(plan_graph(nodes, edges, catalog, load, targets)), asked


def test_targets_with_shared_ancestors_plan_each_ancestor_once_and_nothing_else(catalog):
    # F1 and F2 feed both F3 and L1; the views are downstream of the targets.
    planned, _ = plan(catalog, spec_example(), ["F3", "L1"])
    assert planned.order == ["V1", "V2", "V3", "V4", "F1", "F2", "F3", "L1"]
    one, _ = plan(catalog, spec_example(), ["F1"])
    assert one.order == ["V1", "V2", "F1"]
    assert one.successors["F1"] == []  # F3 and L1 are not planned: nothing waits on F1


def test_a_view_target_runs_to_it_and_is_the_runs_only_result(catalog):
    planned, _ = plan(catalog, spec_example(), ["ListView"])
    assert set(planned.order) == {"V1", "V2", "V3", "V4", "F1", "F2", "L1", "ListView"}
    assert [n for n in planned.order if planned.nodes[n].type == "viewNode"] == ["ListView"]


def test_targets_given_twice_or_nested_in_each_other_plan_the_same(catalog):
    planned, _ = plan(catalog, spec_example(), ["F1", "F3", "F1", "V1"])
    assert planned.order == ["V1", "V2", "V3", "V4", "F1", "F2", "F3"]


def test_no_targets_plans_the_whole_graph(catalog):
    planned, _ = plan(catalog, spec_example(), None)
    assert len(planned.order) == 10


def test_what_is_cut_away_is_neither_checked_nor_fetched(catalog):
    body = spec_example()
    body["nodes"] += [
        fn("broken", "no_such_function"),
        {"id": "sub", "type": "subgraphNode", "data": {"workflow": "missing"}},
        {"id": "odd", "type": "strangeNode", "data": {}},
    ]
    body["edges"] += [edge("F3", "broken", "x"), edge("ghost", "odd")]
    planned, asked = plan(catalog, body, ["F3"])
    assert planned.order[-1] == "F3" and asked == []
    with pytest.raises(GraphError, match="strangeNode"):
        plan(catalog, body, None)


def test_a_broken_edge_into_the_targets_part_is_still_reported(catalog):
    body = spec_example()
    body["edges"].append(edge("ghost", "F1", "a"))
    with pytest.raises(GraphError, match="references missing node 'ghost'"):
        plan(catalog, body, ["F3"])


def test_an_unknown_target_is_named(catalog):
    with pytest.raises(TargetError, match=r"^Target node 'nope' is not in the graph$"):
        plan(catalog, spec_example(), ["F3", "nope"])
    with pytest.raises(TargetError, match=r"^Target nodes 'a', 'b' are not in the graph$"):
        plan(catalog, spec_example(), ["a", "F1", "b", "a"])


def test_an_empty_target_list_is_refused_not_taken_for_everything(catalog):
    with pytest.raises(TargetError, match="targets is empty"):
        plan(catalog, spec_example(), [])


ADD_ONE = {
    "nodes": [
        var("x", "0", variableName="x"),
        fn("f", "add", b=1),
        {"id": "out", "type": "viewNode", "data": {"viewName": "result"}},
    ],
    "edges": [edge("x", "f", "a"), edge("f", "out")],
}


def subgraph_body() -> dict:
    return {
        "nodes": [
            var("a", "41"),
            {"id": "s", "type": "subgraphNode", "data": {"workflow": "add_one"}},
            fn("after", "add", b=1),
            view("v"),
        ],
        "edges": [edge("a", "s", "x"), edge("s", "after", "a", "result"), edge("after", "v")],
    }


def test_a_subgraph_target_runs_its_whole_workflow_and_an_inner_id_points_to_it(catalog):
    planned, asked = plan(catalog, subgraph_body(), ["s"], add_one=ADD_ONE)
    assert planned.order == ["a", "s/x", "s/f", "s/out"] and asked == ["add_one"]
    with pytest.raises(TargetError, match=r"'s/f' \(inside node 's': run to 's'\) is not in the graph"):
        plan(catalog, subgraph_body(), ["s/f"], add_one=ADD_ONE)


def test_control_flow_ancestors_are_planned_like_any_other(catalog):
    body = {
        "nodes": [
            var("c", "true", "Boolean"),
            var("x", "3"),
            {"id": "if", "type": "ifNode", "data": {}},
            fn("yes", "add", b=1),
            fn("no", "add", b=2),
            view("vy"),
            view("vn"),
        ],
        "edges": [
            edge("c", "if", "condition"),
            edge("x", "if", "value"),
            edge("if", "yes", "a", "true"),
            edge("if", "no", "a", "false"),
            edge("yes", "vy"),
            edge("no", "vn"),
        ],
    }
    planned, _ = plan(catalog, body, ["vy"])
    assert planned.order == ["c", "x", "if", "yes", "vy"]


def test_ancestors_and_the_cut_keep_edges_into_what_is_kept():
    nodes, edges = parts(spec_example())
    assert ancestors(["L1"], edges) == {"L1", "F1", "F2", "V1", "V2", "V3", "V4"}
    kept_nodes, kept_edges = to_targets(nodes, edges, ["F3"])
    assert {e.target for e in kept_edges} == {"F1", "F2", "F3"}
    assert len(kept_nodes) == 7
