"""The graph, as a pure module: validation, topological order, scheduling.

No I/O here: the orchestrator drives a ``Schedule`` and cuts the plan into
segments (``segments``); the tests drive the same ones.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .messages import CatalogNode, GraphEdge, GraphNode
from .policies import SettingsError, node_override

FUNCTION, VARIABLE, LIST, VIEW = "functionNode", "variableNode", "listNode", "viewNode"
IF, SWITCH = "ifNode", "switchNode"
SUBGRAPH, MAP, LOOP = "subgraphNode", "mapNode", "loopNode"
# Made by the planner, never sent by a client: a subgraph's input or output inside the
# run (it passes its one input on), and a value fixed when a map item was made.
PORT, CONST = "portNode", "constNode"
NODE_TYPES = (FUNCTION, VARIABLE, LIST, VIEW, IF, SWITCH, SUBGRAPH, MAP, LOOP)
# Nodes the orchestrator runs itself, by adding copies of a workflow to the run.
DYNAMIC = (MAP, LOOP)
BUILTIN_NAMES = {
    VARIABLE: "Variable",
    LIST: "List",
    VIEW: "View",
    IF: "If",
    SWITCH: "Switch",
    SUBGRAPH: "Subgraph",
    MAP: "Map",
    LOOP: "Loop",
    PORT: "Port",
    CONST: "Value",
}
# What each built-in takes (None: any handle of its own kind) and gives (None: one output).
IF_INPUTS, IF_OUTPUTS = ("condition", "value"), ["true", "false"]
SWITCH_INPUT, SWITCH_DEFAULT = "value", "default"
_LIST_HANDLE = re.compile(r"^input-(\d+)$")


class GraphError(ValueError):
    """A graph that cannot run; the message names the node and the cause."""


# A node that never ran ends as an error too (the spec's events have no other word),
# with one of these reasons; ``error_kind`` tells them from a node's own failure.
CANCELLED = "cancelled"
_UPSTREAM = re.compile(r"^Input '[^']*' failed: node '[^']*' \(.*\) did not complete$")


def upstream_failure(handle: str, source: str, source_name: str) -> str:
    """Why a node did not run: its input ``handle`` comes from ``source``, which did not complete."""
    return f"Input '{handle}' failed: node '{source}' ({source_name}) did not complete"


def error_kind(error: str | None) -> str | None:
    """``"upstream"`` (an input failed, so the node never ran), ``"cancelled"`` (the run
    was stopped before it finished), or None: the node's own failure."""
    if error == CANCELLED:
        return "cancelled"
    if error and _UPSTREAM.match(error):
        return "upstream"
    return None


@dataclass(frozen=True)
class WorkflowRef:
    """A saved workflow a node runs: its name, and a version, or None for the latest."""

    name: str
    version: int | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name} (version {self.version})"


@dataclass
class Workflow:
    """A saved workflow's graph, as a subgraph, map or loop runs it."""

    name: str
    version: int | None  # None: the latest, number not looked up
    nodes: list[GraphNode]
    edges: list[GraphEdge]

    @property
    def inputs(self) -> dict[str, list[str]]:
        """Its named Variables: input name -> the variable nodes of that name."""
        found: dict[str, list[str]] = {}
        for node in self.nodes:
            name = node.data.get("variableName") if node.type == VARIABLE else None
            if isinstance(name, str) and name:
                found.setdefault(name, []).append(node.id)
        return found

    @property
    def outputs(self) -> dict[str, str]:
        """Its Views: output name (``viewName``, else the node's id) -> view node."""
        found: dict[str, str] = {}
        for node in self.nodes:
            if node.type == VIEW:
                name = node.data.get("viewName")
                found[name if isinstance(name, str) and name else node.id] = node.id
        return found


def workflow_ref(node: GraphNode) -> WorkflowRef:
    name = node.data.get("workflow")
    version = node.data.get("version")
    kind = BUILTIN_NAMES[node.type]
    if not isinstance(name, str) or not name:
        raise GraphError(f"{kind} node '{node.id}' names no workflow")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 1):
        raise GraphError(f"{kind} node '{node.id}': version must be a whole number from 1, not {version!r}")
    return WorkflowRef(name, version)


@dataclass
class Plan:
    nodes: dict[str, GraphNode]
    order: list[str]  # topological; ties keep the order nodes were given
    incoming: dict[str, list[GraphEdge]]  # sorted as the node consumes them
    successors: dict[str, list[str]]  # distinct, in order of first edge
    predecessors: dict[str, set[str]]
    functions: dict[str, CatalogNode] = field(default_factory=dict)
    # Every workflow the run's maps and loops may copy in (nested ones included).
    library: dict[WorkflowRef, Workflow] = field(default_factory=dict)

    def node_name(self, node_id: str) -> str:
        node = self.nodes[node_id]
        if node.type == FUNCTION:
            return str(node.data.get("functionName"))
        if node.type == PORT:
            return str(node.data.get("shownAs", BUILTIN_NAMES[PORT]))
        return BUILTIN_NAMES[node.type]

    def output_keys(self, node_id: str) -> list[str] | None:
        """The keys of a node's output dict, one per source handle; None for one output."""
        spec = self.functions.get(node_id)
        if spec is not None:
            return spec.output_keys or None
        node = self.nodes[node_id]
        if node.type == LOOP:
            return list(self.workflow(node_id).outputs)
        return builtin_outputs(node)

    def workflow(self, node_id: str) -> Workflow:
        """The workflow a map or loop node runs (in the library since the run was planned)."""
        return self.library[workflow_ref(self.nodes[node_id])]

    def grow(self, nodes: list[GraphNode], edges: list[GraphEdge], catalog: Mapping[str, CatalogNode]) -> list[str]:
        """Add nodes to a running plan, with the edges into them (from nodes already
        planned, settled by now, or from each other). Returns the new ids in order."""
        new = {node.id for node in nodes}
        clash = new & self.nodes.keys()
        if clash:
            raise GraphError(f"Node ids already planned: {', '.join(sorted(clash))}")
        part = build_plan(nodes, [e for e in edges if e.source in new], catalog, self.library)
        for edge in edges:
            if edge.source in new:
                continue
            if edge.source not in self.nodes or edge.target not in new:
                raise GraphError(f"Edge from '{edge.source}' to '{edge.target}' references missing node")
            part.incoming[edge.target].append(edge)
            if edge.source not in part.predecessors[edge.target]:
                part.predecessors[edge.target].add(edge.source)
                self.successors[edge.source].append(edge.target)
        self.nodes.update(part.nodes)
        self.order.extend(part.order)
        self.incoming.update(part.incoming)
        self.successors.update(part.successors)
        self.predecessors.update(part.predecessors)
        self.functions.update(part.functions)
        return part.order


def switch_cases(node: GraphNode) -> list[str]:
    cases = node.data.get("cases", [])
    if not isinstance(cases, list) or not all(isinstance(case, str) for case in cases):
        raise GraphError(f"Switch node '{node.id}': cases must be a list of strings")
    if len(set(cases)) != len(cases):
        raise GraphError(f"Switch node '{node.id}' lists a case twice")
    if SWITCH_DEFAULT in cases:
        raise GraphError(f"Switch node '{node.id}': '{SWITCH_DEFAULT}' is its fallback output, not a case")
    return cases


def _whole(node: GraphNode, key: str, default: int) -> int:
    value = node.data.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise GraphError(f"{BUILTIN_NAMES[node.type]} node '{node.id}': {key} must be a whole number from 1")
    return value


MAP_CONCURRENCY, LOOP_MAX_ITERATIONS = 4, 100


def map_concurrency(node: GraphNode) -> int:
    return _whole(node, "concurrency", MAP_CONCURRENCY)


def loop_max_iterations(node: GraphNode) -> int:
    return _whole(node, "maxIterations", LOOP_MAX_ITERATIONS)


def _check_dynamic(node: GraphNode, edges: list[GraphEdge], library: Mapping[WorkflowRef, Workflow]) -> None:
    """A map's or loop's settings and wires against the workflow it runs."""
    kind = BUILTIN_NAMES[node.type]
    ref = workflow_ref(node)
    workflow = library.get(ref)
    if workflow is None:
        raise GraphError(f"{kind} node '{node.id}': no workflow {ref} to run")
    inputs, outputs = workflow.inputs, workflow.outputs
    if node.type == MAP:
        map_concurrency(node)
        item = node.data.get("itemInput")
        if item not in inputs:
            raise GraphError(
                f"Map node '{node.id}': itemInput {item!r} is not an input of workflow '{workflow.name}' "
                f"(its inputs: {', '.join(inputs) or 'none'})"
            )
        allowed = ["items", *(name for name in inputs if name != item)]
        if sum(edge.target_handle == "items" for edge in edges) != 1:
            raise GraphError(f"Map node '{node.id}' needs its 'items' input wired")
    else:
        loop_max_iterations(node)
        condition = node.data.get("whileOutput")
        if condition not in outputs:
            raise GraphError(
                f"Loop node '{node.id}': whileOutput {condition!r} is not an output of workflow '{workflow.name}' "
                f"(its outputs: {', '.join(outputs) or 'none'})"
            )
        allowed = list(inputs)
    for edge in edges:
        if edge.target_handle not in allowed:
            raise GraphError(
                f"Edge into {kind} node '{node.id}' targets {edge.target_handle!r}; it takes {', '.join(allowed)}"
            )


def builtin_outputs(node: GraphNode) -> list[str] | None:
    if node.type == IF:
        return IF_OUTPUTS
    if node.type == SWITCH:
        return [*switch_cases(node), SWITCH_DEFAULT]
    return None


def _list_index(edge: GraphEdge, node_id: str) -> int:
    match = _LIST_HANDLE.match(edge.target_handle or "")
    if not match:
        raise GraphError(
            f"Edge into list node '{node_id}' uses handle {edge.target_handle!r}; expected input-0, input-1, ..."
        )
    return int(match.group(1))


def _check_edge_handles(
    node: GraphNode,
    edges: list[GraphEdge],
    spec: CatalogNode | None,
    nodes: Mapping[str, GraphNode],
    catalog: Mapping[str, CatalogNode],
    library: Mapping[WorkflowRef, Workflow],
) -> None:
    if node.type == FUNCTION and spec is not None:
        for edge in edges:
            if edge.target_handle not in spec.params:
                raise GraphError(
                    f"Edge into node '{node.id}' targets {edge.target_handle!r}, "
                    f"which is not a parameter of {spec.name} ({', '.join(spec.params) or 'none'})"
                )
    if node.type in (VARIABLE, CONST) and edges:
        raise GraphError(f"{BUILTIN_NAMES[node.type]} node '{node.id}' takes no inputs")
    if node.type == PORT and len(edges) > 1:
        raise GraphError(f"Input '{node.data.get('name', node.id)}' of '{node.id}' is wired {len(edges)} times")
    allowed = IF_INPUTS if node.type == IF else (SWITCH_INPUT,) if node.type == SWITCH else None
    if allowed is not None:
        for edge in edges:
            if edge.target_handle not in allowed:
                raise GraphError(
                    f"Edge into {BUILTIN_NAMES[node.type]} node '{node.id}' targets {edge.target_handle!r}; "
                    f"it takes {', '.join(allowed)}"
                )
        if sum(edge.target_handle == allowed[0] for edge in edges) != 1:
            raise GraphError(f"{BUILTIN_NAMES[node.type]} node '{node.id}' needs its '{allowed[0]}' input wired")
    if node.type == VIEW and len(edges) > 1:
        raise GraphError(f"View node '{node.id}' has {len(edges)} inputs; it shows one")
    for edge in edges:
        source = nodes[edge.source]
        if source.type == VIEW:
            raise GraphError(f"View node '{source.id}' has no output to connect")
        if source.type == FUNCTION:
            source_spec = catalog.get(str(source.data.get("functionName")))
            keys = source_spec.output_keys if source_spec else None
            if source_spec is not None and keys and edge.source_handle not in keys:
                raise GraphError(
                    f"Edge from node '{source.id}' uses output {edge.source_handle!r}; "
                    f"{source_spec.name} has outputs {', '.join(keys)}"
                )
        keys = builtin_outputs(source)
        if source.type == MAP:
            keys = ["output"]
        elif source.type == LOOP:
            keys = list(library[workflow_ref(source)].outputs)
        if keys is not None and edge.source_handle not in keys:
            raise GraphError(
                f"Edge from {BUILTIN_NAMES[source.type]} node '{source.id}' uses output {edge.source_handle!r}; "
                f"it has outputs {', '.join(keys)}"
            )


def _find_cycle(remaining: set[str], successors: Mapping[str, list[str]], order: list[str]) -> list[str]:
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(start: str) -> list[str] | None:
        # Iterative DFS: a 10,000-node cycle must not hit the recursion limit.
        path: list[tuple[str, Iterable[str]]] = [(start, iter(successors.get(start, ())))]
        colour[start] = 1
        stack.append(start)
        while path:
            current, children = path[-1]
            for child in children:
                if child not in remaining:
                    continue
                if colour.get(child) == 1:
                    return stack[stack.index(child) :] + [child]
                if child not in colour:
                    colour[child] = 1
                    stack.append(child)
                    path.append((child, iter(successors.get(child, ()))))
                    break
            else:
                colour[current] = 2
                stack.pop()
                path.pop()
        return None

    for node_id in order:
        if node_id in remaining and node_id not in colour:
            cycle = visit(node_id)
            if cycle:
                return cycle
    return sorted(remaining)


def given_order(ids: list[str], predecessors: Mapping[str, set[str]], successors: Mapping[str, list[str]]) -> list[str]:
    """The engine's order: topological (Kahn), ties broken by the order ``ids`` were given.
    Nodes on a cycle, and those downstream of one, are left out."""
    position = {node_id: index for index, node_id in enumerate(ids)}
    in_degree = {node_id: len(predecessors[node_id]) for node_id in ids}
    ready = [position[node_id] for node_id in ids if in_degree[node_id] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node_id = ids[heapq.heappop(ready)]
        order.append(node_id)
        for child in successors[node_id]:
            in_degree[child] -= 1
            if in_degree[child] == 0:
                heapq.heappush(ready, position[child])
    return order


def build_plan(
    nodes: list[GraphNode],
    edges: list[GraphEdge],
    catalog: Mapping[str, CatalogNode],
    library: Mapping[WorkflowRef, Workflow] | None = None,
) -> Plan:
    """Validate and order a graph whose subgraphs are expanded already (see
    ``subgraphs.plan_graph``); ``library`` holds the workflows its maps and loops run."""
    by_id: dict[str, GraphNode] = {}
    for node in nodes:
        if node.id in by_id:
            raise GraphError(f"Duplicate node id '{node.id}'")
        if node.type not in NODE_TYPES and node.type not in (PORT, CONST):
            raise GraphError(f"Node '{node.id}' has unknown type {node.type!r}")
        if node.type == SUBGRAPH:
            raise GraphError(f"Subgraph node '{node.id}' was not expanded: plan it with its workflows")
        if node.type == SWITCH:
            switch_cases(node)
        by_id[node.id] = node

    functions: dict[str, CatalogNode] = {}
    for node in nodes:
        if node.type != FUNCTION:
            continue
        name = node.data.get("functionName")
        if not isinstance(name, str) or not name:
            raise GraphError(f"Function node '{node.id}' has no functionName")
        spec = catalog.get(name)
        if spec is None:
            raise GraphError(f"Node '{node.id}': unknown function {name!r}")
        try:
            node_override(node, spec.params)
        except SettingsError as exc:
            raise GraphError(str(exc)) from None
        functions[node.id] = spec

    incoming: dict[str, list[GraphEdge]] = {node_id: [] for node_id in by_id}
    successors: dict[str, list[str]] = {node_id: [] for node_id in by_id}
    predecessors: dict[str, set[str]] = {node_id: set() for node_id in by_id}
    for edge in edges:
        for end in (edge.source, edge.target):
            if end not in by_id:
                raise GraphError(f"Edge from '{edge.source}' to '{edge.target}' references missing node '{end}'")
        incoming[edge.target].append(edge)
        if edge.source not in predecessors[edge.target]:
            successors[edge.source].append(edge.target)
            predecessors[edge.target].add(edge.source)

    known = dict(library or {})
    for node_id, node in by_id.items():
        node_edges = incoming[node_id]
        if node.type in DYNAMIC:
            _check_dynamic(node, node_edges, known)
        _check_edge_handles(node, node_edges, functions.get(node_id), by_id, catalog, known)
        if node.type == LIST:
            node_edges.sort(key=lambda e: _list_index(e, node_id))

    ids = list(by_id)
    order = given_order(ids, predecessors, successors)
    if len(order) != len(by_id):
        remaining = set(by_id) - set(order)
        cycle = _find_cycle(remaining, successors, ids)
        raise GraphError("Graph contains a cycle: " + " -> ".join(cycle))

    return Plan(by_id, order, incoming, successors, predecessors, functions, known)


class Schedule:
    """Which nodes have ended and how, and what a failure takes down with it. Pure state."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._position = {node_id: index for index, node_id in enumerate(plan.order)}
        self.finished: set[str] = set()
        self.failed: dict[str, str] = {}

    def planned(self, node_ids: list[str]) -> None:
        """Nodes added to the plan while it runs (a map's or loop's copies)."""
        for node_id in node_ids:
            self._position[node_id] = len(self._position)

    @property
    def done(self) -> bool:
        return len(self.finished) + len(self.failed) == len(self.plan.order)

    def is_settled(self, node_id: str) -> bool:
        return node_id in self.finished or node_id in self.failed

    def complete(self, node_id: str) -> None:
        """Mark a node completed (a late copy of an end changes nothing)."""
        if not self.is_settled(node_id):
            self.finished.add(node_id)

    def fail(self, node_id: str, message: str, dependants: str | None = None) -> list[tuple[str, str]]:
        """Mark a node failed; its dependants fail too. Returns (dependant, reason)."""
        return self.fail_all([node_id], message, dependants)

    def fail_all(self, node_ids: list[str], message: str, dependants: str | None = None) -> list[tuple[str, str]]:
        """Mark nodes failed for one reason, then their dependants (dependant, reason).

        A dependant's reason names the input it lost, unless ``dependants`` gives one
        for all (a cancelled run cancels what waits, it does not skip it).
        """
        frontier = [node_id for node_id in node_ids if not self.is_settled(node_id)]
        for node_id in frontier:
            self.failed[node_id] = message
        skipped: list[tuple[str, str]] = []
        while frontier:
            source = frontier.pop()
            for child in self.plan.successors[source]:
                if self.is_settled(child):
                    continue
                handles = [e.target_handle or "input" for e in self.plan.incoming[child] if e.source == source]
                reason = dependants or upstream_failure(
                    handles[0] if handles else "input", source, self.plan.node_name(source)
                )
                self.failed[child] = reason
                skipped.append((child, reason))
                frontier.append(child)
        skipped.sort(key=lambda item: self._position[item[0]])
        return skipped
