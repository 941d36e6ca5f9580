"""Graph nodes and edges as the services take them, and a graph run segment by segment
in the test's own thread with real nodepack code."""

from __future__ import annotations

from psynapse_common import codec
from psynapse_common.execute import SegmentRun, run_here
from psynapse_common.graph import build_plan
from psynapse_common.messages import GraphEdge, GraphNode, Job, NodeEvent
from psynapse_common.segments import cut
from psynapse_common.wiring import Wiring
from psynapse_schema.catalog import snapshot_of


def var(node_id: str, value, kind: str = "Number") -> GraphNode:
    return GraphNode(id=node_id, type="variableNode", data={"variableType": kind, "variableValue": value})


def fn(node_id: str, name: str, **data) -> GraphNode:
    return GraphNode(id=node_id, type="functionNode", data={"functionName": name, **data})


def view(node_id: str) -> GraphNode:
    return GraphNode(id=node_id, type="viewNode")


def node(node_id: str, kind: str, **data) -> GraphNode:
    return GraphNode(id=node_id, type=kind, data=data)


def e(source: str, target: str, handle: str = "input", source_handle: str = "output") -> GraphEdge:
    return GraphEdge(source=source, target=target, source_handle=source_handle, target_handle=handle)


def run(catalog, nodes, edges, heavy=()) -> tuple[dict[str, NodeEvent], dict]:
    """Every segment in plan order, outputs handed on as the orchestrator would."""
    plan = build_plan(nodes, edges, snapshot_of(catalog, 1).nodes)
    wiring = Wiring(plan)
    ends: dict[str, NodeEvent] = {}
    for segment in cut(plan, set(heavy)):
        job = Job(run_id="r", steps=wiring.steps(segment.nodes, (), ()))
        walk = SegmentRun(job, catalog.nodes.get)
        events: list[NodeEvent] = []
        run_here(walk, events.extend)
        for event in events:
            if event.status == "executing":
                continue
            ends[event.node_id] = event
            wiring.set_output(event.node_id, codec.SKIPPED if event.status == "skipped" else event.output)
    results = {node_id: codec.show(raw) for node_id, raw in wiring.view_results().items()}
    return ends, results


def statuses(ends: dict[str, NodeEvent]) -> dict[str, str]:
    return {node_id: event.status for node_id, event in ends.items()}
