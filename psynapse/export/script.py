"""``psynapse export``: a workflow file as a standalone, readable Python script.

The script imports the nodepacks' files by path, defines the variables as
constants (converted exactly as the services convert them), calls the function
nodes in the services' order with their inputs converted to the hinted types, and
prints the view nodes' values as one JSON object, so its output compares with
``psynapse run``'s.

Control flow does what the engine does (``docs/api.md``, "Control flow"): an output
not taken is the SDK's ``Skip``, and a node any of whose required inputs (or all of
whose inputs) came untaken is skipped: an ``if`` gives it ``Skip`` instead of calling
it. If and Switch nodes are if/else and match statements. Each saved workflow a
Subgraph, Map or Loop node runs is one function (inputs and outputs as dicts by
name), read at export time from a gateway or a folder: a Subgraph node calls it, a
Map node calls it on a thread pool, a Loop node in a while loop with its cap.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import keyword
import math
import os
import pprint
import re
import sys
import textwrap
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import msgspec

from psynapse_common import conversion
from psynapse_common.builtins import list_position
from psynapse_common.graph import (
    FUNCTION,
    IF,
    IF_OUTPUTS,
    LIST,
    LOOP,
    MAP,
    NODE_TYPES,
    SUBGRAPH,
    SWITCH,
    SWITCH_DEFAULT,
    VARIABLE,
    VIEW,
    GraphError,
    Workflow,
    WorkflowRef,
    build_plan,
    given_order,
    loop_max_iterations,
    map_concurrency,
    switch_cases,
    workflow_ref,
)
from psynapse_common.messages import CatalogNode, GraphEdge, GraphNode
from psynapse_common.nodepacks import Catalog, NodeSpec, load_catalog
from psynapse_common.policies import Policy, SettingsError, node_override, policy_of
from psynapse_common.subgraphs import check_recursion, expand, fetch_library

from .. import sdk
from ..headless.workflow_file import WorkflowFileError, load_workflow
from . import helpers as scripthelpers
from .workflows import Folder, Gateway, NoWorkflows, WorkflowSource, WorkflowSourceError

USAGE = 2
# Copied from the services' own conversion code, so the script converts as they do.
_CONVERSIONS = (
    conversion.ConversionError,
    conversion.parse_bool,
    conversion.parse_number,
    conversion._to_int,
    conversion._to_float,
    conversion._to_json_container,
    conversion.convert,
)
# The services' rules for branches, copied when a script has branches or loops.
_BRANCH_RULES: dict[str, Callable[..., Any]] = {"truth": conversion.truth, "case_text": conversion.case_text}
_RESERVED = {
    "NODEPACKS_DIR",
    "REQUIREMENTS",
    "PSYNAPSE_SDK",
    "main",
    "print",
    "json",
    "sys",
    "Path",
    "Any",
    "Callable",
    "Literal",
    "Optional",
    "Union",
    "Iterable",
    "base64",
    "concurrent",
    "dataclasses",
    "datetime",
    "decimal",
    "enum",
    "importlib",
    "io",
    "math",
    "re",
    "types",
    "typing",
    "uuid",
    "list",
    "dict",
    "str",
    "int",
    "float",
    "bool",
    "set",
    "views",
    "inputs",
    "Skip",
    "_TRUE",
    "_FALSE",
    *(f.__name__ for f in scripthelpers.HELPERS),
    *scripthelpers.FLOW_HELPERS,
    *_BRANCH_RULES,
    *(f.__name__ for f in _CONVERSIONS),
}


class ExportError(ValueError):
    pass


def main(args: argparse.Namespace) -> int:
    from psynapse_common.settings import Settings

    settings = Settings()
    nodepacks = Path(args.nodepacks_dir) if args.nodepacks_dir else settings.nodepacks_dir
    workflows: WorkflowSource
    if args.workflows_dir:
        workflows = Folder(Path(args.workflows_dir))
    else:
        url = args.url or os.environ.get("PSYNAPSE_URL") or f"http://{settings.http_host}:{settings.http_port}"
        workflows = Gateway(url, args.token or os.environ.get("PSYNAPSE_API_TOKEN"))
    try:
        request = load_workflow(Path(args.workflow))
        if not nodepacks.is_dir():
            raise ExportError(f"nodepacks folder {nodepacks} not found; pass --nodepacks-dir")
        if args.workflows_dir and not Path(args.workflows_dir).is_dir():
            raise ExportError(f"workflows folder {args.workflows_dir} not found")
        catalog = load_catalog(nodepacks)
        script = export_script(request, catalog, nodepacks, source=Path(args.workflow).name, workflows=workflows)
    except (WorkflowFileError, ExportError, GraphError, WorkflowSourceError) as exc:
        print(f"psynapse export: {exc}", file=sys.stderr)
        return USAGE
    finally:
        if isinstance(workflows, Gateway):
            workflows.close()
    for pack in catalog.packs:
        for error in pack.errors:
            print(f"psynapse export: warning: nodepack {pack.name}: {error['message']}", file=sys.stderr)
    if args.output == "-":
        sys.stdout.write(script)
    else:
        Path(args.output).write_text(script, encoding="utf-8")
        print(f"psynapse export: wrote {args.output}", file=sys.stderr)
    return 0


def _known(catalog: Catalog) -> dict[str, CatalogNode]:
    return {
        name: CatalogNode(
            name=name,
            kind=spec.kind,
            pack=spec.pack,
            pool=spec.pool,
            params=[p["name"] for p in spec.schema["params"]],
            output_keys=list(spec.output_keys) if spec.output_keys else None,
        )
        for name, spec in catalog.nodes.items()
    }


def _graph_of(request: dict[str, Any]) -> tuple[list[GraphNode], list[GraphEdge]]:
    try:
        return (
            msgspec.convert(request["nodes"], list[GraphNode]),
            msgspec.convert(request["edges"], list[GraphEdge]),
        )
    except msgspec.ValidationError as exc:
        raise ExportError(f"not a workflow graph: {exc}") from None


def read_library(
    nodes: list[GraphNode], edges: list[GraphEdge], catalog: Catalog, workflows: WorkflowSource
) -> dict[WorkflowRef, Workflow]:
    """The saved workflows the graph runs (nested ones too), checked as the engine plans
    them: recursion, a missing workflow and graph errors are its errors, word for word."""
    missed: list[WorkflowRef] = []

    async def load(ref: WorkflowRef) -> Workflow | None:
        found = workflows.load(ref)
        if found is None:
            missed.append(ref)
        return found

    try:
        library = asyncio.run(fetch_library(nodes, load))
    except GraphError as exc:
        if missed:
            raise GraphError(f"{exc} ({workflows.missing(missed[-1])})") from None
        raise
    check_recursion(nodes, library)
    known = _known(catalog)
    build_plan(*expand(nodes, edges, library), known, library)
    for ref, workflow in library.items():
        try:
            build_plan(*expand(workflow.nodes, workflow.edges, library), known, library)
        except GraphError as exc:
            raise GraphError(f"workflow {ref}: {exc}") from None
    return library


def order_of(nodes: list[GraphNode], edges: list[GraphEdge]) -> list[str]:
    """The graph's nodes in the engine's order (topological; ties keep the given order),
    Subgraph nodes as one node each."""
    ids = [node.id for node in nodes]
    predecessors: dict[str, set[str]] = {node_id: set() for node_id in ids}
    successors: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for edge in edges:
        if edge.source not in predecessors[edge.target]:
            predecessors[edge.target].add(edge.source)
            successors[edge.source].append(edge.target)
    order = given_order(ids, predecessors, successors)
    if len(order) != len(ids):
        stuck = ", ".join(sorted(set(ids) - set(order)))
        raise ExportError(
            f"nodes {stuck} feed a subgraph node from its own outputs: the engine runs that, "
            "but a script cannot call the subgraph's function before its inputs are known"
        )
    return order


# -- names ------------------------------------------------------------------------
class _Names:
    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken = set(_RESERVED) if taken is None else set(taken)

    def claim(self, wanted: str, fallback_prefix: str = "n") -> str:
        name = re.sub(r"\W+", "_", wanted).strip("_") or fallback_prefix
        if name[0].isdigit():
            name = f"{fallback_prefix}_{name}"
        if keyword.iskeyword(name) or keyword.issoftkeyword(name):
            name += "_"
        candidate, n = name, 2
        while candidate in self.taken:
            candidate, n = f"{name}_{n}", n + 1
        self.taken.add(candidate)
        return candidate


# -- values as source -----------------------------------------------------------------
def literal(value: Any) -> str:
    if _has_special_float(value):
        return f"json.loads({json.dumps(value)!r})"
    return pprint.pformat(value, width=88, sort_dicts=False)


def _has_special_float(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_special_float(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_special_float(v) for v in value)
    return False


def hint_source(annotation: Any) -> str | None:
    """The hint as source when ``convert`` would change a value for it, else None."""
    if annotation is Any or annotation is None:
        return None
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner = hint_source(args[0]) if len(args) == 1 else None
        return f"Optional[{inner}]" if inner else None
    if origin is Literal:
        return f"Literal[{', '.join(repr(option) for option in typing.get_args(annotation))}]"
    target = origin or annotation
    if target in (bool, int, float, str, list, dict):
        return target.__name__
    return None


def may_branch(spec: NodeSpec) -> bool:
    """Whether a node's function may return ``Skip`` (whole, or for a key): its file has
    the SDK's ``Skip`` or the ``psynapse`` module among its names."""
    module = inspect.getmodule(spec.target)
    for value in vars(module).values() if module is not None else ():
        if value is sdk.Skip:
            return True
        if isinstance(value, types.ModuleType) and value.__name__ in ("psynapse", sdk.__name__):
            return True
    return False


# -- the script -------------------------------------------------------------------
@dataclass
class _Flow:
    """Which inputs and outputs of each saved workflow may carry ``Skip``. The script is
    written again until nothing new turns up, so code that can meet no untaken value
    has no check for one (a static graph reads as plain calls)."""

    inputs: dict[WorkflowRef, set[str]]
    outputs: dict[WorkflowRef, set[str]]
    grew: bool = False

    def _add(self, found: dict[WorkflowRef, set[str]], ref: WorkflowRef, names: set[str]) -> None:
        if not names <= found[ref]:
            found[ref] |= names
            self.grew = True

    def untaken_inputs(self, ref: WorkflowRef, names: set[str]) -> None:
        self._add(self.inputs, ref, names)

    def untaken_outputs(self, ref: WorkflowRef, names: set[str]) -> None:
        self._add(self.outputs, ref, names)


@dataclass
class _Script:
    """What the writers of one script share."""

    catalog: Catalog
    library: dict[WorkflowRef, Workflow]
    flow: _Flow
    functions: dict[WorkflowRef, str]  # workflow -> its function's name
    callables: dict[str, str]  # catalog name -> local name
    uses: set[str] = field(default_factory=set)  # control flow helpers and rules it needs
    _branches: dict[str, bool] = field(default_factory=dict)

    def spec(self, node: GraphNode) -> NodeSpec:
        return self.catalog.nodes[str(node.data.get("functionName"))]

    def branches(self, spec: NodeSpec) -> bool:
        if spec.name not in self._branches:
            self._branches[spec.name] = may_branch(spec)
        return self._branches[spec.name]

    def use(self, *helpers: str) -> None:
        self.uses.update(helpers)


class _Writer:
    """One graph as lines of Python: the exported graph as ``main()``'s body and module
    constants, a saved workflow as its function's body."""

    def __init__(
        self,
        script: _Script,
        nodes: list[GraphNode],
        edges: list[GraphEdge],
        names: _Names,
        ref: WorkflowRef | None = None,
    ) -> None:
        self.script = script
        self.ref = ref
        self.names = names
        self.nodes = {node.id: node for node in nodes}
        self.incoming: dict[str, list[GraphEdge]] = {node.id: [] for node in nodes}
        for edge in edges:
            self.incoming[edge.target].append(edge)
        self.order = order_of(nodes, edges)
        self.values: dict[str, str] = {}  # node id -> the name holding its output
        self.untaken: dict[str, bool] = {}  # node id -> its output may be Skip
        self.constants: list[str] = []  # module level: the exported graph's variables
        self.body: list[str] = []
        self.views: dict[str, tuple[str, bool]] = {}  # view id -> what it shows, may it be untaken

    def write(self) -> None:
        kinds: dict[str, Callable[[GraphNode], None]] = {
            VARIABLE: self._variable,
            LIST: self._list,
            VIEW: self._view,
            FUNCTION: self._function,
            IF: self._if,
            SWITCH: self._switch,
            SUBGRAPH: self._subgraph,
            MAP: self._map,
            LOOP: self._loop,
        }
        for node_id in self.order:
            node = self.nodes[node_id]
            kinds[node.type](node)

    def wire(self, edge: GraphEdge) -> tuple[str, bool]:
        """What a wire carries, as an expression, and whether it may come untaken."""
        source = self.nodes[edge.source]
        value, handle = self.values[source.id], edge.source_handle
        if source.type == FUNCTION:
            keys = self.script.spec(source).output_keys
            if keys and handle in keys:
                if self.untaken[source.id]:
                    self.script.use("part")
                    return f"part({value}, {handle!r})", True
                return f"{value}[{handle!r}]", False
        elif source.type in (IF, SWITCH):
            return f"{value}[{handle!r}]", True
        elif source.type in (SUBGRAPH, LOOP):
            return f"{value}[{handle!r}]", handle in self.script.flow.outputs[workflow_ref(source)]
        return value, self.untaken[source.id]

    def _claim(self, node: GraphNode) -> str:
        name = self.values[node.id] = self.names.claim(node.id.lower(), "n")
        return name

    # -- built-ins --------------------------------------------------------------------
    def _variable(self, node: GraphNode) -> None:
        try:
            value = conversion.variable_value(node.data)
        except conversion.ConversionError as exc:
            raise ExportError(f"variable node '{node.id}': {exc}") from None
        named = node.data.get("variableName")
        named = named if isinstance(named, str) and named else None
        untaken = False
        if self.ref is None:
            name = self.names.claim(str(named or node.id).upper(), "V")
            comment = f"  # variable node '{node.id}'" if name != node.id else ""
            self.constants.append(f"{name} = {literal(value)}{comment}")
        elif named is not None:
            # A workflow's named variable is an input: fed, it takes the value given.
            name = self.names.claim(named, "v")
            self.body.append(f"{name} = inputs.get({named!r}, {literal(value)})  # input (variable node '{node.id}')")
            untaken = named in self.script.flow.inputs[self.ref]
        else:
            name = self.names.claim(node.id.lower(), "v")
            self.body.append(f"{name} = {literal(value)}" + _id_comment(node.id, name))
        self.values[node.id] = name
        self.untaken[node.id] = untaken

    def _list(self, node: GraphNode) -> None:
        by_handle = {edge.target_handle or "": edge for edge in self.incoming[node.id]}
        items = [self.wire(by_handle[handle]) for handle in sorted(by_handle, key=list_position)]
        name = self._claim(node)
        listed = ", ".join(value for value, _ in items)
        self.untaken[node.id] = any(untaken for _, untaken in items)
        if self.untaken[node.id]:
            self.script.use("list_of")
            self.body.append(f"{name} = list_of({listed})  # list node '{node.id}': the items that came")
        else:
            self.body.append(f"{name} = [{listed}]" + _id_comment(node.id, name))

    def _view(self, node: GraphNode) -> None:
        edge = next(iter(self.incoming[node.id]), None)
        self.views[node.id] = self.wire(edge) if edge is not None else ("None", False)

    def _if(self, node: GraphNode) -> None:
        edges = {edge.target_handle: edge for edge in self.incoming[node.id]}
        condition, condition_untaken = self.wire(edges["condition"])
        value, value_untaken = self.wire(edges["value"]) if "value" in edges else ("None", False)
        name = self._claim(node)
        self.script.use("truth")
        taken, other = IF_OUTPUTS
        lines = [f"# If node '{node.id}': the value goes out on 'true' when the condition is truthy, else on 'false'"]
        branch = "if"
        untaken = [text for text, maybe in ((condition, condition_untaken), (value, value_untaken)) if maybe]
        if untaken:
            lines += [
                f"if {' or '.join(f'{text} is Skip' for text in untaken)}:",
                f"    {name} = {{{taken!r}: Skip, {other!r}: Skip}}  # skipped: an input came untaken",
            ]
            branch = "elif"
        lines += [
            f"{branch} truth({condition}):",
            f"    {name} = {{{taken!r}: {value}, {other!r}: Skip}}",
            "else:",
            f"    {name} = {{{taken!r}: Skip, {other!r}: {value}}}",
        ]
        self.body += lines
        self.untaken[node.id] = True

    def _switch(self, node: GraphNode) -> None:
        cases = switch_cases(node)
        value, untaken = self.wire(self.incoming[node.id][0])
        name = self._claim(node)
        self.script.use("case_text")
        outputs = ", ".join(f"{key!r}: Skip" for key in [*cases, SWITCH_DEFAULT])
        lines = [f"# Switch node '{node.id}': the value goes out on the case its text matches, else on 'default'"]
        if not value.isidentifier():  # read once, not once per case
            switched = self.names.claim(f"{name}_value")
            lines.append(f"{switched} = {value}")
            value = switched
        lines.append(f"{name} = {{{outputs}}}")
        indent = ""
        if untaken:
            lines.append(f"if {value} is not Skip:  # else skipped: its value came untaken")
            indent = "    "
        lines.append(f"{indent}match case_text({value}):")
        for case in cases:
            lines += [f"{indent}    case {case!r}:", f"{indent}        {name}[{case!r}] = {value}"]
        lines += [f"{indent}    case _:", f"{indent}        {name}[{SWITCH_DEFAULT!r}] = {value}"]
        self.body += lines
        self.untaken[node.id] = True

    # -- saved workflows -----------------------------------------------------------------
    def _feeds(self, node: GraphNode, but: str | None = None) -> dict[str, tuple[str, bool]]:
        return {
            edge.target_handle or "": self.wire(edge) for edge in self.incoming[node.id] if edge.target_handle != but
        }

    def _subgraph(self, node: GraphNode) -> None:
        ref = workflow_ref(node)
        feeds = self._feeds(node)
        self.script.flow.untaken_inputs(ref, {input_name for input_name, (_, maybe) in feeds.items() if maybe})
        name = self._claim(node)
        call = f"{self.script.functions[ref]}({_dict_source(feeds)})"
        self.body.append(f"{name} = {call}  # subgraph node '{node.id}': workflow {ref}")
        self.untaken[node.id] = False

    def _map(self, node: GraphNode) -> None:
        ref = workflow_ref(node)
        item_input = str(node.data.get("itemInput"))
        items_edge = next(edge for edge in self.incoming[node.id] if edge.target_handle == "items")
        items, items_untaken = self.wire(items_edge)
        feeds = self._feeds(node, but="items")
        untaken = {input_name for input_name, (_, maybe) in feeds.items() if maybe}
        source = self.nodes[items_edge.source]
        if source.type == MAP and self.script.flow.outputs[workflow_ref(source)]:
            untaken.add(item_input)  # a map's list holds what its items' views gave, untaken too
        self.script.flow.untaken_inputs(ref, untaken)
        concurrency = map_concurrency(node)
        continue_on_error = bool(node.data.get("continueOnError", False))
        self.script.use("map_workflow", "NodeFailed")
        name = self._claim(node)
        self.body.append(
            f"# Map node '{node.id}': workflow {ref} per item, {concurrency} at a time, results in item order"
            + (" (None for a failed item)" if continue_on_error else "")
        )
        self.body += _call_lines(
            name,
            "map_workflow",
            [
                self.script.functions[ref],
                items,
                f"item_input={item_input!r}",
                f"inputs={_dict_source(feeds)}",
                f"concurrency={concurrency}",
                f"continue_on_error={continue_on_error}",
                f"node={node.id!r}",
            ],
        )
        self.untaken[node.id] = items_untaken

    def _loop(self, node: GraphNode) -> None:
        ref = workflow_ref(node)
        workflow = self.script.library[ref]
        feeds = self._feeds(node)
        fed_back = tuple(input_name for input_name in workflow.inputs if input_name in workflow.outputs)
        untaken = {input_name for input_name, (_, maybe) in feeds.items() if maybe}
        untaken |= set(fed_back) & self.script.flow.outputs[ref]
        self.script.flow.untaken_inputs(ref, untaken)
        limit = loop_max_iterations(node)
        condition = str(node.data.get("whileOutput"))
        self.script.use("loop_workflow", "NodeFailed", "truth")
        name = self._claim(node)
        self.body.append(
            f"# Loop node '{node.id}': workflow {ref} while its output {condition!r} is truthy, "
            f"at most {limit} iterations"
        )
        self.body += _call_lines(
            name,
            "loop_workflow",
            [
                self.script.functions[ref],
                _dict_source(feeds),
                f"fed_back={fed_back!r}",
                f"while_output={condition!r}",
                f"max_iterations={limit}",
                f"node={node.id!r}",
            ],
        )
        self.untaken[node.id] = False

    # -- functions ----------------------------------------------------------------------
    def _function(self, node: GraphNode) -> None:
        spec = self.script.spec(node)
        out = self._claim(node)
        wired = {edge.target_handle or "": self.wire(edge) for edge in self.incoming[node.id]}
        given: list[tuple[str, str]] = []  # parameter, argument
        optional: list[tuple[str, str, str]] = []  # parameter, value, argument: untaken, its default applies
        needed: list[str] = []  # values without which the node is skipped
        for param in spec.schema["params"]:
            param_name = param["name"]
            annotation = spec.param_types.get(param_name, Any)
            if param_name in wired:
                value, untaken = wired[param_name]
                hint = hint_source(annotation)
                argument = f"convert({value}, {hint})" if hint else value
                if untaken and "default" in param:
                    optional.append((param_name, value, argument))
                    continue
                if untaken:
                    needed.append(value)
                given.append((param_name, argument))
            elif param_name in node.data:
                try:
                    constant = conversion.convert(node.data[param_name], annotation)
                except conversion.ConversionError as exc:
                    raise ExportError(f"node '{node.id}' ({spec.name}): input '{param_name}': {exc}") from None
                given.append((param_name, literal(constant)))
            elif "default" not in param:
                raise ExportError(
                    f"node '{node.id}' ({spec.name}): input '{param_name}' is not connected and has no value"
                )
        maybe_untaken = [value for value, untaken in wired.values() if untaken]
        skip_if, why = "", ""
        if needed:
            skip_if, why = " or ".join(f"{value} is Skip" for value in needed), "an input it needs came untaken"
        elif maybe_untaken and len(maybe_untaken) == len(wired):
            skip_if, why = " and ".join(f"{value} is Skip" for value in maybe_untaken), "none of its inputs came"
        lines: list[str] = []
        if optional:
            arguments = self.names.claim(f"{out}_args")
            lines.append(f"{arguments} = {{{', '.join(f'{key!r}: {value}' for key, value in given)}}}")
            for param_name, value, argument in optional:
                lines += [
                    f"if {value} is not Skip:  # else its default applies",
                    f"    {arguments}[{param_name!r}] = {argument}",
                ]
            kwargs = [f"**{arguments}"]
        else:
            kwargs = [f"{key}={value}" for key, value in given]
        try:
            retry, timeout_s = node_override(node, [param["name"] for param in spec.schema["params"]])
        except SettingsError as exc:
            raise ExportError(str(exc)) from None
        called = _call(node.id, spec, self.script.callables[spec.name], kwargs, out, self.names)
        lines += _with_policy(called, node.id, out, policy_of(spec, retry, timeout_s))
        if skip_if:
            lines = [f"if {skip_if}:", f"    {out} = Skip  # skipped: {why}", "else:", *_indented(lines)]
        self.body += lines
        self.untaken[node.id] = bool(skip_if) or self.script.branches(spec)

    # -- a saved workflow's function -------------------------------------------------
    def function_source(self, name: str, provenance: str) -> list[str]:
        assert self.ref is not None
        workflow = self.script.library[self.ref]
        outputs = {output: self.views[view_id] for output, view_id in workflow.outputs.items()}
        self.script.flow.untaken_outputs(self.ref, {output for output, (_, maybe) in outputs.items() if maybe})
        inputs = ", ".join(workflow.inputs) or "none"
        doc = [
            f"Workflow {self.ref}{f' ({provenance})' if provenance else ''}, as a function.",
            "",
            f"Inputs (each keeps its saved value unless given): {inputs}. Outputs: {', '.join(outputs) or 'none'}.",
        ]
        returned = ", ".join(f"{output!r}: {value}" for output, (value, _) in outputs.items())
        return [
            f"def {name}(inputs: dict[str, Any]) -> dict[str, Any]:",
            *_indented(['"""' + _docstring("\n".join(doc)) + '\n"""']),
            *_indented(self.body),
            f"    return {{{returned}}}",
        ]


def _docstring(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _indented(lines: list[str]) -> list[str]:
    return [textwrap.indent(line, "    ") for line in lines]


def _dict_source(feeds: dict[str, tuple[str, bool]]) -> str:
    return "{" + ", ".join(f"{key!r}: {value}" for key, (value, _) in feeds.items()) + "}"


def _call_lines(out: str, function: str, arguments: list[str]) -> list[str]:
    one_line = f"{out} = {function}({', '.join(arguments)})"
    if len(one_line) <= 100:
        return [one_line]
    return [f"{out} = {function}(", *(f"    {argument}," for argument in arguments), ")"]


def export_script(
    request: dict[str, Any],
    catalog: Catalog,
    nodepacks: Path,
    source: str = "workflow",
    workflows: WorkflowSource | None = None,
) -> str:
    """The script for a graph; ``workflows`` gives the saved workflows its Subgraph, Map
    and Loop nodes run (none: such a node is a graph error, as a missing workflow is)."""
    nodes, edges = _graph_of(request)
    for node in nodes:
        if node.type not in NODE_TYPES:
            raise GraphError(f"Node '{node.id}' has unknown type {node.type!r}")
    library = read_library(nodes, edges, catalog, workflows or NoWorkflows())
    flow = _Flow({ref: set() for ref in library}, {ref: set() for ref in library})
    while True:
        flow.grew = False
        script = _write(request, nodes, edges, catalog, nodepacks, source, library, flow, workflows or NoWorkflows())
        if not flow.grew:
            return script


def _write(
    request: dict[str, Any],
    nodes: list[GraphNode],
    edges: list[GraphEdge],
    catalog: Catalog,
    nodepacks: Path,
    source: str,
    library: dict[WorkflowRef, Workflow],
    flow: _Flow,
    workflows: WorkflowSource,
) -> str:
    root = nodepacks.resolve()
    names = _Names()
    modules: dict[Path, str] = {}  # file -> module variable
    members: dict[Path, list[str]] = {}  # file -> "local = module.attr" lines
    callables: dict[str, str] = {}  # catalog name -> local name
    requirements: dict[str, str] = {}  # module -> install command, as the packs' files declare them
    # Installed packs are imported by module name, and installed by their distribution's name.
    installed = {report.name: report.distribution for report in catalog.packs if report.source == "package"}
    package_modules: dict[Path, str] = {}
    graphs = [(nodes, edges), *((workflow.nodes, workflow.edges) for workflow in library.values())]
    for graph_nodes, graph_edges in graphs:
        by_id = {node.id: node for node in graph_nodes}
        for node_id in order_of(graph_nodes, graph_edges):
            node = by_id[node_id]
            if node.type != FUNCTION:
                continue
            spec = catalog.nodes[str(node.data.get("functionName"))]
            if spec.name in callables:
                continue
            path = Path(spec.schema["filepath"]).resolve()
            if path not in modules:
                modules[path] = names.claim(f"{spec.pack}_{path.stem}")
                members[path] = []
                requirements.update(declared_requirements(spec))
                if spec.pack in installed:
                    package_modules[path] = spec.target.__module__
                    requirements[spec.target.__module__.partition(".")[0]] = f"pip install {installed[spec.pack]}"
            attr = spec.target.__name__
            local = attr if attr not in names.taken else f"{spec.pack}_{attr}"
            callables[spec.name] = names.claim(local)
            members[path].append(f"{callables[spec.name]} = {modules[path]}.{attr}")
    imports: list[str] = []
    for path, module in modules.items():
        if path in package_modules:
            imports += [f"{module} = importlib.import_module({package_modules[path]!r})", *members[path]]
            continue
        relative = path.relative_to(root)
        pack, file = relative.parts[0], str(Path(*relative.parts[1:]))
        imports += [f"{module} = load_nodepack({pack!r}, {file!r})", *members[path]]
    functions = {
        ref: names.claim(f"workflow_{ref.name}" + (f"_v{ref.version}" if ref.version is not None else ""))
        for ref in library
    }
    script = _Script(catalog, library, flow, functions, callables)
    module_names = set(names.taken)  # a function's locals may take any other name
    top = _Writer(script, nodes, edges, names)
    top.write()
    defined: list[str] = []
    for ref, workflow in library.items():
        writer = _Writer(script, workflow.nodes, workflow.edges, _Names(module_names), ref)
        try:
            writer.write()
        except ExportError as exc:
            raise ExportError(f"workflow {ref}: {exc}") from None
        defined += ["", "", *writer.function_source(functions[ref], workflows.provenance(ref))]
    views = [(view_id, value) for view_id, (value, _) in top.views.items()]
    return _assemble(source, root, request, imports, top.constants, top.body, views, requirements, defined, script.uses)


def declared_requirements(spec: NodeSpec) -> dict[str, str]:
    """What the node's file says it needs (``PSYNAPSE_REQUIRES``): module -> install command."""
    declared = getattr(inspect.getmodule(spec.target), "PSYNAPSE_REQUIRES", None) or {}
    if isinstance(declared, (list, tuple)):
        return {str(name): f"pip install {name}" for name in declared}
    return {str(k): str(v) for k, v in declared.items()} if isinstance(declared, dict) else {}


def sdk_source() -> str:
    """The nodepack SDK as the script carries it: the module itself, standard library only."""
    return inspect.getsource(sdk)


def _set_source(items: set[str]) -> str:
    return "{" + ", ".join(repr(item) for item in sorted(items)) + "}"


def _id_comment(node_id: str, name: str) -> str:
    return "" if name == node_id else f"  # node '{node_id}'"


def _call(node_id: str, spec: NodeSpec, function: str, kwargs: list[str], out: str, names: _Names) -> list[str]:
    call = f"({', '.join(kwargs)})"
    if inspect.isfunction(spec.target):
        called = f"awaited({function}{call}, {node_id!r})" if spec.awaited else f"{function}{call}"
        return [f"{out} = {called}" + _id_comment(node_id, out)]
    instance = names.claim(f"{out}_node")
    reporter = "report_progress" if spec.kind == "progress" else "report_stream"
    lines = [
        f"# '{node_id}': a {spec.kind} node; its {'reports go' if spec.kind == 'progress' else 'text goes'} to stderr",
        f"{instance} = {function}()",
        f"{reporter}({instance}, {node_id!r})",
        f"{out} = awaited({instance}{call}, {node_id!r})" if spec.awaited else f"{out} = {instance}{call}",
    ]
    if spec.kind == "stream":
        lines.append("print(file=sys.stderr)  # end the streamed line")
    return lines


def _with_policy(lines: list[str], node_id: str, out: str, policy: Policy) -> list[str]:
    """The node's call made through ``run_node`` when it has a retry policy or a timeout."""
    if policy.times == 1 and policy.timeout_s is None:
        return lines
    # The line that calls the node and names its result (a stream node's closing print follows it).
    assigned = f"{out} = "
    index = max(number for number, line in enumerate(lines) if line.startswith(assigned))
    call = lines[index][len(assigned) :]
    comment = _id_comment(node_id, out)
    if comment and call.endswith(comment):
        call = call[: -len(comment)]
    else:
        comment = ""
    settings = (
        f"times={policy.times}, backoff_s={policy.backoff_s!r}, max_backoff_s={policy.max_backoff_s!r}, "
        f"on={policy.on!r}, timeout_s={policy.timeout_s!r}"
    )
    return [*lines[:index], f"{out} = run_node({node_id!r}, lambda: {call}, {settings}){comment}", *lines[index + 1 :]]


def _assemble(
    source: str,
    root: Path,
    request: dict[str, Any],
    imports: list[str],
    constants: list[str],
    body: list[str],
    views: list[tuple[str, str]],
    requirements: dict[str, str],
    functions: list[str],
    uses: set[str],
) -> str:
    needs = [f"    {module}: {install}" for module, install in sorted(requirements.items())]
    out = [
        "#!/usr/bin/env python3",
        f'"""{source}, as a plain Python script (written by `psynapse export`).',
        "",
        "Calls the workflow's nodes in order, without Psynapse's services, and prints",
        "the view nodes' values as one JSON object. Progress and streamed text go to stderr.",
        *(
            [
                "",
                "An output a branch did not take is `Skip`; a node that would get it as an input",
                "it needs (or as every input) is skipped: it is not called, and gives Skip on. A",
                "view fed by a skipped node shows null. Each saved workflow the graph runs is a",
                "function, with its inputs and outputs as dicts by name.",
            ]
            if uses or functions
            else []
        ),
        "",
        "Needs: Python 3.11 or newer and the nodepacks' folder (NODEPACKS_DIR below). Psynapse",
        "itself need not be installed: the script carries the nodepack SDK its packs import.",
        *(
            ["Packages the nodepacks need (the script stops at once, saying so, without them):", *needs]
            if needs
            else []
        ),
        '"""',
        "",
        scripthelpers.IMPORTS,
        "# The nodepacks this script imports; change it if they move.",
        f"NODEPACKS_DIR = Path({str(root)!r})",
        "# What the nodepacks need: module -> how to install it.",
        f"REQUIREMENTS = {literal(dict(sorted(requirements.items())))}",
    ]
    env = sorted((request.get("env_vars") or {}).keys())
    if env:
        out += ["", f"# The workflow file sets env_vars ({', '.join(env)}): set them in the environment."]
    out += ["", "", "# -- inputs converted to the hinted types, as the services convert them --------"]
    out += ["", f"_TRUE = {_set_source(conversion._TRUE)}", f"_FALSE = {_set_source(conversion._FALSE)}"]
    out += ["", *("\n" + inspect.getsource(fn) for fn in _CONVERSIONS)]
    rules = [rule for name, rule in _BRANCH_RULES.items() if name in uses]
    if rules:
        out += ["", "# -- branches: truthiness and a switch's case, as the services decide them ----"]
        out += [*("\n" + inspect.getsource(fn) for fn in rules)]
    out += ["", "# -- nodepacks, progress and stream reporters, view values as JSON ------------"]
    out += [*("\n" + inspect.getsource(fn) for fn in scripthelpers.HELPERS)]
    flow = [helper for name, helper in scripthelpers.FLOW_HELPERS.items() if name in uses]
    if flow:
        out += ["", "# -- control flow: untaken outputs, maps and loops, as the engine runs them -----"]
        out += [*("\n" + inspect.getsource(helper) for helper in flow)]
    out += ["", "# -- the nodepack SDK, for packs that import psynapse where it is not installed", ""]
    out += [f"PSYNAPSE_SDK = {sdk_source()!r}"]
    out += ["", "# -- nodes ------------------------------------------------------------------", ""]
    out += [
        "check_requirements()",
        "provide_sdk()",
        "from psynapse import Skip  # an output not taken: what needs it is skipped",
        *imports,
        "",
        "# -- variables --------------------------------------------------------------",
        "",
    ]
    out += constants
    if functions:
        out += ["", "", "# -- saved workflows, one function each ----------------------------------------"]
        out += functions
    out += ["", "", "def main() -> None:"]
    out += _indented(body)
    out += ["    views = {", *(f"        {view_id!r}: {value}," for view_id, value in views), "    }"]
    out += [
        "    print(json.dumps(to_json(views), indent=2, ensure_ascii=False))",
        "",
        "",
        'if __name__ == "__main__":',
        "    main()",
        "",
    ]
    return "\n".join(out)
