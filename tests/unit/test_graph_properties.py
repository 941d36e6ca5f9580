"""Random graphs never crash the validator: they plan, or they name their problem."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psynapse_common.graph import GraphError, Schedule, build_plan
from psynapse_common.messages import CatalogNode, GraphEdge, GraphNode

CATALOG = {"add": CatalogNode(name="add", kind="function", pack="p", params=["a", "b"])}
ids = st.one_of(st.sampled_from(["a", "b", "c", "d", "e"]), st.text(min_size=0, max_size=12))
types = st.sampled_from(["functionNode", "variableNode", "listNode", "viewNode", "bogus", ""])
data = st.one_of(
    st.just({"functionName": "add"}),
    st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda children: (
                st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
            ),
            max_leaves=20,
        ),
        max_size=4,
    ),
)
nodes = st.lists(st.builds(GraphNode, id=ids, type=types, data=data), max_size=12)
handles = st.one_of(st.none(), st.sampled_from(["a", "b", "input", "input-0", "input-7", "output", "x.y", "*", ">"]))


@settings(max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(
    nodes=nodes,
    edges=st.lists(
        st.builds(GraphEdge, source=ids, target=ids, source_handle=handles, target_handle=handles), max_size=20
    ),
)
def test_any_graph_plans_or_names_its_error(nodes, edges):
    try:
        plan = build_plan(nodes, edges, CATALOG)
    except GraphError as exc:
        assert str(exc)
        return
    position = {node_id: index for index, node_id in enumerate(plan.order)}
    assert sorted(position) == sorted(plan.nodes)
    assert all(position[edge.source] < position[target] for target in plan.order for edge in plan.incoming[target])
    schedule = Schedule(plan)
    for node_id in plan.order:
        schedule.complete(node_id)
    assert schedule.done
