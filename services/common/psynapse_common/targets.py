"""Partial runs: a graph cut down to what some of its nodes need.

A run with targets plans only those nodes and their ancestors (every node wired into
them, however far back); the rest of the graph is not planned, so it has no events, no
results, and no say in whether the run can start (a broken node elsewhere does not
refuse it). Targets name nodes of the graph as the client sent it: a subgraph's inner
nodes get their ids when it is expanded, after this cut, so running to one of them
means running to its subgraph node.
"""

from __future__ import annotations

from collections.abc import Iterable

from .graph import GraphError
from .messages import GraphEdge, GraphNode


class TargetError(GraphError):
    """Targets that name no node of the graph: the request's fault, refused before any run."""


def check_targets(targets: list[str], nodes: Iterable[GraphNode]) -> list[str]:
    """The targets, each once, in the order given; TargetError naming any the graph lacks."""
    if not targets:
        raise TargetError("targets is empty: name the nodes to run to, or leave targets out to run the whole graph")
    ids = {node.id for node in nodes}
    wanted = list(dict.fromkeys(targets))
    unknown = [target for target in wanted if target not in ids]
    if unknown:
        raise TargetError(_unknown(unknown, ids))
    return wanted


def _unknown(unknown: list[str], ids: set[str]) -> str:
    named = []
    for target in unknown:
        # An inner node's id is its subgraph's id, a slash, and its own ("outer/inner").
        outer = next((target[:cut] for cut, char in enumerate(target) if char == "/" and target[:cut] in ids), None)
        named.append(f"'{target}'" + (f" (inside node '{outer}': run to '{outer}')" if outer else ""))
    if len(named) == 1:
        return f"Target node {named[0]} is not in the graph"
    return f"Target nodes {', '.join(named)} are not in the graph"


def ancestors(targets: Iterable[str], edges: Iterable[GraphEdge]) -> set[str]:
    """The targets and every node a chain of edges leads from into one of them."""
    feeders: dict[str, list[str]] = {}
    for edge in edges:
        feeders.setdefault(edge.target, []).append(edge.source)
    needed = set(targets)
    frontier = list(needed)
    while frontier:
        for source in feeders.get(frontier.pop(), ()):
            if source not in needed:
                needed.add(source)
                frontier.append(source)
    return needed


def to_targets(
    nodes: list[GraphNode], edges: list[GraphEdge], targets: list[str]
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The part of the graph a run to ``targets`` plans: their ancestors and the edges into them.

    An edge into a kept node stays even when its source is no node at all, so planning
    still reports it as the broken edge it is.
    """
    needed = ancestors(check_targets(targets, nodes), edges)
    return [node for node in nodes if node.id in needed], [edge for edge in edges if edge.target in needed]
