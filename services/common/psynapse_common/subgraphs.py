"""Saved workflows inside a run: subgraphs expanded when the run is planned, and the
copies maps and loops add while it runs. Pure, but for ``plan_graph``'s fetching.

A copy of a workflow has its node ids under a prefix (``outer/inner``; a map item's
``map/3/inner``), so its nodes' events say where they are. Its named Variables are its
inputs: one that is fed becomes a *port* (a node that passes its one input on), one
that is not keeps its saved value. Its Views are its outputs and become ports too, so
only the run's own views make its results.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import msgspec

from .given_values import check_given_values
from .graph import (
    BUILTIN_NAMES,
    DYNAMIC,
    FUNCTION,
    NODE_TYPES,
    PORT,
    SUBGRAPH,
    VARIABLE,
    VIEW,
    GraphError,
    Plan,
    Workflow,
    WorkflowRef,
    build_plan,
    workflow_ref,
)
from .messages import CatalogNode, GraphEdge, GraphNode
from .targets import to_targets

# A wire into a copy's input: (source node, its output handle).
Feed = tuple[str, str | None]
Load = Callable[[WorkflowRef], Awaitable[Workflow | None]]

# Deeper than this, a chain of workflows is a mistake, not a design.
MAX_DEPTH = 16


def workflow_from_saved(name: str, version: int | None, saved: Mapping[str, Any]) -> Workflow:
    """A workflow as the editor saved it (positions and all) -> its graph.

    A function input left empty ("") is not a value: its default applies, as when
    the editor runs the graph.
    """
    nodes = []
    for raw in saved.get("nodes", []):
        data = dict(raw.get("data") or {})
        if raw.get("type") == FUNCTION:
            data = {k: v for k, v in data.items() if k == "functionName" or v != ""}
        nodes.append({"id": raw.get("id"), "type": raw.get("type"), "data": data})
    try:
        graph = msgspec.convert({"nodes": nodes, "edges": saved.get("edges", [])}, _SavedGraph)
    except msgspec.ValidationError as exc:
        raise GraphError(f"workflow {WorkflowRef(name, version)} cannot run: {exc}") from None
    return Workflow(name, version, graph.nodes, graph.edges)


class _SavedGraph(msgspec.Struct):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def references(nodes: list[GraphNode]) -> list[WorkflowRef]:
    """The workflows a graph's subgraph, map and loop nodes run, in first-use order."""
    found: list[WorkflowRef] = []
    for node in nodes:
        if node.type == SUBGRAPH or node.type in DYNAMIC:
            ref = workflow_ref(node)
            if ref not in found:
                found.append(ref)
    return found


async def fetch_library(nodes: list[GraphNode], load: Load) -> dict[WorkflowRef, Workflow]:
    """Every workflow the graph runs, and those they run in turn."""
    library: dict[WorkflowRef, Workflow] = {}
    wanted = [(ref, node) for node in nodes for ref in references([node])]
    while wanted:
        ref, node = wanted.pop(0)
        if ref in library:
            continue
        workflow = await load(ref)
        if workflow is None:
            raise GraphError(f"{BUILTIN_NAMES[node.type]} node '{node.id}': no workflow {ref}")
        library[ref] = workflow
        wanted += [(inner, child) for child in workflow.nodes for inner in references([child])]
    return library


def check_recursion(nodes: list[GraphNode], library: Mapping[WorkflowRef, Workflow]) -> None:
    """Refuse a workflow that runs itself, through any chain of subgraphs, maps and loops."""

    def visit(graph_nodes: list[GraphNode], chain: list[str]) -> None:
        if len(chain) > MAX_DEPTH:
            raise GraphError(f"Workflows nest more than {MAX_DEPTH} deep: {' → '.join(chain)}")
        for node in graph_nodes:
            if node.type != SUBGRAPH and node.type not in DYNAMIC:
                continue
            workflow = library[workflow_ref(node)]
            if workflow.name in chain:
                loop = " → ".join([*chain[chain.index(workflow.name) :], workflow.name])
                raise GraphError(
                    f"{BUILTIN_NAMES[node.type]} node '{node.id}' runs workflow '{workflow.name}', "
                    f"which contains itself: {loop}"
                )
            visit(workflow.nodes, [*chain, workflow.name])

    visit(nodes, [])


def copy_of(
    workflow: Workflow, prefix: str, feeds: Mapping[str, Feed], owner: str
) -> tuple[list[GraphNode], list[GraphEdge], dict[str, str]]:
    """One copy of a workflow under ``prefix``: its nodes, its edges (those feeding its
    inputs included) and its outputs (output name -> the port that gives it)."""
    inputs, outputs = workflow.inputs, workflow.outputs
    unknown = sorted(set(feeds) - set(inputs))
    if unknown:
        raise GraphError(
            f"Edge into '{owner}' targets {', '.join(map(repr, unknown))}, not an input of workflow "
            f"'{workflow.name}' (its inputs: {', '.join(inputs) or 'none'})"
        )
    fed_nodes = {node_id: name for name, ids in inputs.items() if name in feeds for node_id in ids}
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    for node in workflow.nodes:
        new_id = prefix + node.id
        if node.id in fed_nodes:
            name = fed_nodes[node.id]
            nodes.append(GraphNode(id=new_id, type=PORT, data={"shownAs": BUILTIN_NAMES[VARIABLE], "name": name}))
            source, handle = feeds[name]
            edges.append(GraphEdge(source=source, target=new_id, source_handle=handle, target_handle="input"))
        elif node.type == VIEW:
            nodes.append(GraphNode(id=new_id, type=PORT, data={"shownAs": BUILTIN_NAMES[VIEW]}))
        else:
            nodes.append(GraphNode(id=new_id, type=node.type, data=node.data))
    for edge in workflow.edges:
        edges.append(
            GraphEdge(
                source=prefix + edge.source,
                target=prefix + edge.target,
                source_handle=edge.source_handle,
                target_handle=edge.target_handle,
            )
        )
    return nodes, edges, {name: prefix + node_id for name, node_id in outputs.items()}


def expand(
    nodes: list[GraphNode], edges: list[GraphEdge], library: Mapping[WorkflowRef, Workflow]
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The graph with every subgraph node replaced by a copy of its workflow (nested ones too)."""
    subgraphs = {node.id: node for node in nodes if node.type == SUBGRAPH}
    if not subgraphs:
        return nodes, edges
    out_nodes = [node for node in nodes if node.id not in subgraphs]
    feeds: dict[str, dict[str, Feed]] = {node_id: {} for node_id in subgraphs}
    kept: list[GraphEdge] = []
    for edge in edges:
        if edge.target in subgraphs:
            handle = edge.target_handle or ""
            if handle in feeds[edge.target]:
                raise GraphError(f"Input '{handle}' of subgraph node '{edge.target}' is wired twice")
            feeds[edge.target][handle] = (edge.source, edge.source_handle)
        else:
            kept.append(edge)
    ports: dict[str, dict[str, str]] = {}
    out_edges: list[GraphEdge] = []
    for node_id, node in subgraphs.items():
        workflow = library[workflow_ref(node)]
        copy_nodes, copy_edges, outputs = copy_of(workflow, f"{node_id}/", feeds[node_id], f"subgraph node '{node_id}'")
        inner_nodes, inner_edges = expand(copy_nodes, copy_edges, library)
        out_nodes += inner_nodes
        out_edges += inner_edges
        ports[node_id] = outputs
    for edge in kept:
        if edge.source in subgraphs:
            outputs = ports[edge.source]
            port = outputs.get(edge.source_handle or "")
            if port is None:
                raise GraphError(
                    f"Edge from subgraph node '{edge.source}' uses output {edge.source_handle!r}; "
                    f"its workflow has outputs {', '.join(outputs) or 'none'}"
                )
            edge = GraphEdge(source=port, target=edge.target, source_handle="output", target_handle=edge.target_handle)
        out_edges.append(edge)
    # A subgraph's output wired straight into another subgraph: rewrite the feeds made above.
    for index, edge in enumerate(out_edges):
        if edge.source in subgraphs:
            port = ports[edge.source].get(edge.source_handle or "")
            if port is None:
                raise GraphError(f"Edge from subgraph node '{edge.source}' uses output {edge.source_handle!r}")
            out_edges[index] = GraphEdge(
                source=port, target=edge.target, source_handle="output", target_handle=edge.target_handle
            )
    return out_nodes, out_edges


async def plan_graph(
    nodes: list[GraphNode],
    edges: list[GraphEdge],
    catalog: Mapping[str, CatalogNode],
    load: Load,
    targets: list[str] | None = None,
) -> Plan:
    """A client's graph planned: cut down to its targets' part when it has targets (see
    ``targets``), its workflows fetched, its subgraphs expanded, then validated (the values
    it gives bounded inputs too) and ordered. The gateway (to answer 400) and the
    orchestrator (to run) plan the same way."""
    if targets is not None:
        nodes, edges = to_targets(nodes, edges, targets)
    for node in nodes:
        if node.type not in NODE_TYPES:
            raise GraphError(f"Node '{node.id}' has unknown type {node.type!r}")
    library = await fetch_library(nodes, load)
    check_recursion(nodes, library)
    flat_nodes, flat_edges = expand(nodes, edges, library)
    plan = build_plan(flat_nodes, flat_edges, catalog, library)
    check_given_values(plan)
    return plan
