"""Properties of control flow over random graphs: what an untaken branch skips, whatever
the graph's shape and however it is cut into segments; which nestings of workflows plan
and which are refused as recursion."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psynapse_common.graph import FUNCTION, GraphError, Workflow, WorkflowRef
from psynapse_common.messages import GraphNode
from psynapse_common.nodepacks import load_catalog
from psynapse_common.subgraphs import plan_graph, workflow_from_saved
from psynapse_schema.catalog import snapshot_of
from tests.support.segment_graphs import e, fn, node, run, statuses, var
from tests.support.stack import copy_packs

PROPERTIES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return load_catalog(copy_packs(tmp_path_factory.mktemp("packs"), "basic", "testpack"))


# -- skip propagation ----------------------------------------------------------------
# Sources a node may read: the If's two outputs, the plain value, or an earlier node.
BRANCH_SOURCES = [("if", "true"), ("if", "false"), ("x", "output")]


@st.composite
def branch_graphs(draw):
    """An If over a value, then a random DAG of `add` (both inputs required) and
    `first_of` (both optional: it runs with whatever came) nodes below it."""
    size = draw(st.integers(min_value=1, max_value=8))
    shapes = []
    for index in range(size):
        sources = BRANCH_SOURCES + [(f"n{j}", "output") for j in range(index)]
        kind = draw(st.sampled_from(["add", "first_of"]))
        a = draw(st.sampled_from(sources))
        b = draw(st.one_of(st.none(), st.sampled_from(sources)))
        shapes.append((kind, a, b))
    condition = draw(st.booleans())
    heavy = draw(st.sets(st.sampled_from([f"n{i}" for i in range(size)])))
    return condition, shapes, heavy


def expected(condition: bool, shapes) -> tuple[dict[str, str], dict[str, float | None]]:
    """The rule written down: a required input untaken skips a node; a node whose wired
    inputs all went untaken is skipped; an optional untaken input takes its default.
    An untaken output is None here (no value in these graphs is None)."""
    values: dict[tuple[str, str], float | None] = {
        ("x", "output"): 5.0,
        ("if", "true"): 5.0 if condition else None,
        ("if", "false"): None if condition else 5.0,
    }
    states = {}
    for index, (kind, a, b) in enumerate(shapes):
        wired = [values[a]] + ([values[b]] if b else [])
        came = [value for value in wired if value is not None]
        value: float | None
        if not came or (kind == "add" and len(came) < len(wired)):
            value = None
        elif kind == "add":
            value = sum(came) if b else came[0] + 1.0
        else:
            value = came[0]  # first_of: a when it came, else b
        values[(f"n{index}", "output")] = value
        states[f"n{index}"] = "skipped" if value is None else "completed"
    return states, {f"v{i}": values[(f"n{i}", "output")] for i in range(len(shapes))}


@PROPERTIES
@given(graph=branch_graphs())
def test_an_untaken_branch_skips_exactly_what_depends_on_it(catalog, graph):
    condition, shapes, heavy = graph
    nodes = [var("c", condition, "Boolean"), var("x", 5), node("if", "ifNode")]
    edges = [e("c", "if", "condition"), e("x", "if", "value")]
    for index, (kind, a, b) in enumerate(shapes):
        nodes.append(fn(f"n{index}", kind) if b or kind == "first_of" else fn(f"n{index}", kind, b=1))
        edges.append(e(a[0], f"n{index}", "a", a[1]))
        if b:
            edges.append(e(b[0], f"n{index}", "b", b[1]))
        nodes.append(node(f"v{index}", "viewNode"))
        edges.append(e(f"n{index}", f"v{index}"))
    ends, results = run(catalog, nodes, edges, heavy=heavy)
    states, shown = expected(condition, shapes)
    got = statuses(ends)
    assert {node_id: got[node_id] for node_id in states} == states
    assert all(got[f"v{i}"] == states[f"n{i}"] for i in range(len(shapes)))
    assert results == shown


# -- nesting and recursion -------------------------------------------------------------
NAMES = ["w0", "w1", "w2", "w3"]


def saved_workflow(uses: list[str]) -> dict:
    """One add node of its own, and a subgraph node per workflow it uses."""
    nodes = [{"id": "own", "type": "functionNode", "data": {"functionName": "add", "a": 1, "b": 1}}]
    nodes += [{"id": f"s{i}", "type": "subgraphNode", "data": {"workflow": name}} for i, name in enumerate(uses)]
    return {"nodes": nodes, "edges": []}


def reaches_itself(uses: dict[str, list[str]], root: list[str]) -> bool:
    def cycles(name: str, chain: tuple[str, ...]) -> bool:
        return name in chain or any(cycles(used, (*chain, name)) for used in uses[name])

    return any(cycles(name, ()) for name in root)


def function_count(uses: dict[str, list[str]], name: str) -> int:
    return 1 + sum(function_count(uses, used) for used in uses[name])


@PROPERTIES
@given(
    uses=st.fixed_dictionaries({name: st.lists(st.sampled_from(NAMES), max_size=2) for name in NAMES}),
    root=st.lists(st.sampled_from(NAMES), min_size=1, max_size=3),
)
def test_nested_workflows_plan_every_node_under_its_path_or_are_refused_as_recursion(catalog, uses, root):
    library: dict[str, Workflow] = {
        name: workflow_from_saved(name, 1, saved_workflow(used)) for name, used in uses.items()
    }

    async def load(ref: WorkflowRef) -> Workflow | None:
        return library.get(ref.name)

    nodes = [GraphNode(id=f"top{i}", type="subgraphNode", data={"workflow": name}) for i, name in enumerate(root)]
    planning = plan_graph(nodes, [], snapshot_of(catalog, 1).nodes, load)
    if reaches_itself(uses, root):
        with pytest.raises(GraphError, match="which contains itself"):
            asyncio.run(planning)
        return
    plan = asyncio.run(planning)
    functions = [node_id for node_id, graph_node in plan.nodes.items() if graph_node.type == FUNCTION]
    assert len(functions) == sum(function_count(uses, name) for name in root)
    assert all(node_id.startswith("top") and node_id.endswith("/own") for node_id in functions)
