"""Planning with saved workflows: subgraphs expanded (nested ones too), their inputs and
outputs wired through ports, recursion refused, maps and loops checked against the
workflows they run. Pure: the workflows come from a dict."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from psynapse_common import codec
from psynapse_common.execute import SegmentRun, run_here
from psynapse_common.graph import PORT, GraphError, Plan, Workflow, WorkflowRef
from psynapse_common.messages import GraphEdge, GraphNode, Job, NodeEvent
from psynapse_common.nodepacks import load_catalog
from psynapse_common.segments import cut
from psynapse_common.subgraphs import plan_graph, workflow_from_saved
from psynapse_common.wiring import Wiring
from psynapse_schema.catalog import snapshot_of

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    root = tmp_path_factory.mktemp("packs")
    shutil.copytree(REPO / "nodepacks" / "basic", root / "basic")
    return snapshot_of(load_catalog(root), 1).nodes


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("packs-code")
    shutil.copytree(REPO / "nodepacks" / "basic", root / "basic")
    return load_catalog(root)


def var(node_id: str, value=0, name: str | None = None) -> dict:
    data = {"variableType": "Number", "variableValue": value}
    if name:
        data["variableName"] = name
    return {"id": node_id, "type": "variableNode", "data": data, "position": {"x": 0, "y": 0}}


def fn(node_id: str, name: str, **data) -> dict:
    return {"id": node_id, "type": "functionNode", "data": {"functionName": name, **data}}


def view(node_id: str, name: str | None = None) -> dict:
    return {"id": node_id, "type": "viewNode", "data": {"viewName": name} if name else {}}


def edge(source: str, target: str, target_handle: str = "input", source_handle: str = "output") -> dict:
    return {"source": source, "target": target, "sourceHandle": source_handle, "targetHandle": target_handle}


# add_one(x) = x + 1, as the editor saves it (positions, an empty input left as "").
ADD_ONE = {
    "nodes": [var("x", 0, "x"), fn("f", "add", a="", b=1), view("out", "result")],
    "edges": [edge("x", "f", "a"), edge("f", "out")],
}
# twice_plus_one(n) = add_one(add_one(n) - 1) * 2 ... built from a nested subgraph.
NESTED = {
    "nodes": [
        var("n", 0, "n"),
        {"id": "inner", "type": "subgraphNode", "data": {"workflow": "add_one"}},
        fn("m", "multiply", b=2),
        view("v", "doubled"),
    ],
    "edges": [edge("n", "inner", "x"), edge("inner", "m", "a", "result"), edge("m", "v")],
}


def library(**saved: dict) -> dict[WorkflowRef, Workflow]:
    return {WorkflowRef(name): workflow_from_saved(name, 1, body) for name, body in saved.items()}


def plan(catalog, nodes, edges, workflows) -> Plan:
    async def load(ref: WorkflowRef) -> Workflow | None:
        return workflows.get(WorkflowRef(ref.name))

    graph_nodes = [GraphNode(id=n["id"], type=n["type"], data=n["data"]) for n in nodes]
    graph_edges = [
        GraphEdge(
            source=e["source"], target=e["target"], source_handle=e["sourceHandle"], target_handle=e["targetHandle"]
        )
        for e in edges
    ]
    return asyncio.run(plan_graph(graph_nodes, graph_edges, catalog, load))


def results(loaded, plan_: Plan) -> dict:
    wiring = Wiring(plan_)
    for segment in cut(plan_, set()):
        events: list[NodeEvent] = []
        run_here(
            SegmentRun(Job(run_id="r", steps=wiring.steps(segment.nodes, (), ())), loaded.nodes.get), events.extend
        )
        for event in events:
            if event.status in ("completed", "skipped"):
                wiring.set_output(event.node_id, event.output)
    return {node_id: codec.show(raw) for node_id, raw in wiring.view_results().items()}


def test_a_subgraph_is_planned_into_the_run_under_its_node_id(catalog, loaded):
    nodes = [var("a", 41), {"id": "s", "type": "subgraphNode", "data": {"workflow": "add_one"}}, view("v")]
    edges = [edge("a", "s", "x"), edge("s", "v", "input", "result")]
    planned = plan(catalog, nodes, edges, library(add_one=ADD_ONE))
    assert planned.order == ["a", "s/x", "s/f", "s/out", "v"]
    assert planned.nodes["s/x"].type == PORT and planned.node_name("s/x") == "Variable"
    assert planned.nodes["s/out"].type == PORT and planned.node_name("s/out") == "View"
    assert planned.functions["s/f"].name == "add"
    # Only the run's own views make its results.
    assert results(loaded, planned) == {"v": 42.0}


def test_nested_subgraphs_carry_the_whole_path(catalog, loaded):
    nodes = [var("a", 4), {"id": "outer", "type": "subgraphNode", "data": {"workflow": "nested"}}, view("v")]
    edges = [edge("a", "outer", "n"), edge("outer", "v", "input", "doubled")]
    planned = plan(catalog, nodes, edges, library(add_one=ADD_ONE, nested=NESTED))
    assert "outer/inner/f" in planned.nodes
    assert results(loaded, planned) == {"v": 10.0}


def test_an_input_left_unwired_keeps_its_saved_value(catalog, loaded):
    nodes = [{"id": "s", "type": "subgraphNode", "data": {"workflow": "add_one"}}, view("v")]
    edges = [edge("s", "v", "input", "result")]
    planned = plan(catalog, nodes, edges, library(add_one=ADD_ONE))
    assert planned.nodes["s/x"].type == "variableNode"
    assert results(loaded, planned) == {"v": 1.0}


def test_subgraph_outputs_feed_another_subgraph(catalog, loaded):
    nodes = [
        var("a", 1),
        {"id": "s1", "type": "subgraphNode", "data": {"workflow": "add_one"}},
        {"id": "s2", "type": "subgraphNode", "data": {"workflow": "add_one"}},
        view("v"),
    ]
    edges = [edge("a", "s1", "x"), edge("s1", "s2", "x", "result"), edge("s2", "v", "input", "result")]
    assert results(loaded, plan(catalog, nodes, edges, library(add_one=ADD_ONE))) == {"v": 3.0}


@pytest.mark.parametrize(
    "nodes, edges, workflows, message",
    [
        (
            [{"id": "s", "type": "subgraphNode", "data": {"workflow": "loops"}}],
            [],
            {"loops": {"nodes": [{"id": "again", "type": "subgraphNode", "data": {"workflow": "loops"}}], "edges": []}},
            "Subgraph node 'again' runs workflow 'loops', which contains itself: loops → loops",
        ),
        (
            [{"id": "s", "type": "subgraphNode", "data": {"workflow": "a"}}],
            [],
            {
                "a": {"nodes": [{"id": "to_b", "type": "subgraphNode", "data": {"workflow": "b"}}], "edges": []},
                "b": {"nodes": [{"id": "map_a", "type": "mapNode", "data": {"workflow": "a"}}], "edges": []},
            },
            "which contains itself: a → b → a",
        ),
        (
            [{"id": "s", "type": "subgraphNode", "data": {"workflow": "nowhere"}}],
            [],
            {},
            "Subgraph node 's': no workflow nowhere",
        ),
        (
            [var("a", 1), {"id": "s", "type": "subgraphNode", "data": {"workflow": "add_one"}}],
            [edge("a", "s", "y")],
            {"add_one": ADD_ONE},
            "targets 'y', not an input of workflow 'add_one' \\(its inputs: x\\)",
        ),
        (
            [{"id": "s", "type": "subgraphNode", "data": {"workflow": "add_one"}}, view("v")],
            [edge("s", "v", "input", "sum")],
            {"add_one": ADD_ONE},
            "uses output 'sum'; its workflow has outputs result",
        ),
        (
            [{"id": "m", "type": "mapNode", "data": {"workflow": "add_one", "itemInput": "z"}}],
            [],
            {"add_one": ADD_ONE},
            "itemInput 'z' is not an input of workflow 'add_one'",
        ),
        (
            [{"id": "m", "type": "mapNode", "data": {"workflow": "add_one", "itemInput": "x"}}],
            [],
            {"add_one": ADD_ONE},
            "Map node 'm' needs its 'items' input wired",
        ),
        (
            [{"id": "l", "type": "loopNode", "data": {"workflow": "add_one", "whileOutput": "go"}}],
            [],
            {"add_one": ADD_ONE},
            "whileOutput 'go' is not an output of workflow 'add_one'",
        ),
        (
            [
                {
                    "id": "l",
                    "type": "loopNode",
                    "data": {"workflow": "add_one", "whileOutput": "result", "maxIterations": 0},
                }
            ],
            [],
            {"add_one": ADD_ONE},
            "maxIterations must be a whole number from 1",
        ),
        (
            [{"id": "p", "type": "portNode", "data": {}}],
            [],
            {},
            "Node 'p' has unknown type 'portNode'",
        ),
    ],
)
def test_planning_errors_name_the_node_and_the_cause(catalog, nodes, edges, workflows, message):
    with pytest.raises(GraphError, match=message):
        plan(catalog, nodes, edges, library(**workflows))


def test_maps_and_loops_stay_nodes_of_the_plan_with_their_workflows(catalog):
    nodes = [
        {"id": "items", "type": "listNode", "data": {}},
        {"id": "m", "type": "mapNode", "data": {"workflow": "add_one", "itemInput": "x", "concurrency": 2}},
        {"id": "l", "type": "loopNode", "data": {"workflow": "add_one", "whileOutput": "result"}},
        view("vm"),
        view("vl"),
    ]
    edges = [edge("items", "m", "items"), edge("m", "vm"), edge("l", "vl", "input", "result")]
    planned = plan(catalog, nodes, edges, library(add_one=ADD_ONE))
    assert planned.workflow("m").name == "add_one" and planned.output_keys("l") == ["result"]
    assert planned.order == ["items", "m", "l", "vm", "vl"]
