"""``psynapse export``: a workflow file as a standalone, readable Python script.

The script imports the nodepacks' files by path, defines the variables as
constants (converted exactly as the services convert them), calls the function
nodes in the services' order with their inputs converted to the hinted types, and
prints the view nodes' values as one JSON object, so its output compares with
``psynapse run``'s. It is written from the plan as one segment: the steps a runner
would get for the whole graph, each with its values and wires.
"""

from __future__ import annotations

import argparse
import inspect
import json
import keyword
import math
import pprint
import re
import sys
import textwrap
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

import msgspec

from psynapse_common import codec, conversion
from psynapse_common.builtins import list_position
from psynapse_common.graph import LIST, VARIABLE, VIEW, GraphError, Plan, build_plan
from psynapse_common.messages import CatalogNode, GraphEdge, GraphNode, Step
from psynapse_common.nodepacks.loader import Catalog, NodeSpec, load_catalog
from psynapse_common.policies import policy_of
from psynapse_common.wiring import Wiring

from .. import sdk
from ..headless.workflow_file import WorkflowFileError, load_workflow
from . import helpers as scripthelpers

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
    "Literal",
    "Optional",
    "Union",
    "Callable",
    "Iterable",
    "base64",
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
    "_TRUE",
    "_FALSE",
    *(f.__name__ for f in scripthelpers.HELPERS),
    *(f.__name__ for f in _CONVERSIONS),
}


class ExportError(ValueError):
    pass


def main(args: argparse.Namespace) -> int:
    from psynapse_common.settings import Settings

    nodepacks = Path(args.nodepacks_dir) if args.nodepacks_dir else Settings().nodepacks_dir
    try:
        request = load_workflow(Path(args.workflow))
        if not nodepacks.is_dir():
            raise ExportError(f"nodepacks folder {nodepacks} not found; pass --nodepacks-dir")
        catalog = load_catalog(nodepacks)
        script = export_script(request, catalog, nodepacks, source=Path(args.workflow).name)
    except (WorkflowFileError, ExportError, GraphError) as exc:
        print(f"psynapse export: {exc}", file=sys.stderr)
        return USAGE
    for pack in catalog.packs:
        for error in pack.errors:
            print(f"psynapse export: warning: nodepack {pack.name}: {error['message']}", file=sys.stderr)
    if args.output == "-":
        sys.stdout.write(script)
    else:
        Path(args.output).write_text(script, encoding="utf-8")
        print(f"psynapse export: wrote {args.output}", file=sys.stderr)
    return 0


def plan_of(request: dict[str, Any], catalog: Catalog) -> Plan:
    try:
        nodes = msgspec.convert(request["nodes"], list[GraphNode])
        edges = msgspec.convert(request["edges"], list[GraphEdge])
    except msgspec.ValidationError as exc:
        raise ExportError(f"not a workflow graph: {exc}") from None
    known = {
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
    return build_plan(nodes, edges, known)


# -- names ------------------------------------------------------------------------
class _Names:
    def __init__(self) -> None:
        self.taken = set(_RESERVED)

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


# -- the script -------------------------------------------------------------------
def export_script(request: dict[str, Any], catalog: Catalog, nodepacks: Path, source: str = "workflow") -> str:
    plan = plan_of(request, catalog)
    root = nodepacks.resolve()
    names = _Names()
    modules: dict[Path, str] = {}  # file -> module variable
    members: dict[Path, list[str]] = {}  # file -> "local = module.attr" lines
    callables: dict[str, str] = {}  # catalog name -> local name
    requirements: dict[str, str] = {}  # module -> install command, as the packs' files declare them
    for node_id in plan.order:
        spec = catalog.nodes[plan.functions[node_id].name] if node_id in plan.functions else None
        if spec is None or spec.name in callables:
            continue
        path = Path(spec.schema["filepath"]).resolve()
        if path not in modules:
            modules[path] = names.claim(f"{spec.pack}_{path.stem}")
            members[path] = []
            requirements.update(declared_requirements(spec))
        attr = spec.target.__name__
        local = attr if attr not in names.taken else f"{spec.pack}_{attr}"
        callables[spec.name] = names.claim(local)
        members[path].append(f"{callables[spec.name]} = {modules[path]}.{attr}")
    imports: list[str] = []
    for path, module in modules.items():
        relative = path.relative_to(root)
        pack, file = relative.parts[0], str(Path(*relative.parts[1:]))
        imports += [f"{module} = load_nodepack({pack!r}, {file!r})", *members[path]]

    constants: list[str] = []
    body: list[str] = []
    outputs: dict[str, str] = {}
    views: list[tuple[str, str]] = []
    # The plan as one segment, as a runner would get it: each step's wires and values.
    for step in Wiring(plan).steps(plan.order, quick=(), cached=()):
        node_id = step.node_id
        if step.node_type == VARIABLE:
            outputs[node_id] = names.claim(str(step.data.get("variableName") or node_id).upper(), "V")
            try:
                value = conversion.variable_value(step.data)
            except conversion.ConversionError as exc:
                raise ExportError(f"variable node '{node_id}': {exc}") from None
            comment = f"  # variable node '{node_id}'" if outputs[node_id] != node_id else ""
            constants.append(f"{outputs[node_id]} = {literal(value)}{comment}")
        elif step.node_type == LIST:
            outputs[node_id] = names.claim(node_id.lower(), "n")
            ordered = sorted(step.wires, key=list_position)
            items = ", ".join(_wire_value(step.wires[handle], outputs) for handle in ordered)
            body.append(f"{outputs[node_id]} = [{items}]" + _id_comment(node_id, outputs[node_id]))
        elif step.node_type == VIEW:
            wire = next(iter(step.wires.values()), None)
            views.append((node_id, _wire_value(wire, outputs) if wire else "None"))
        else:
            spec = catalog.nodes[step.node_name]
            outputs[node_id] = names.claim(node_id.lower(), "n")
            kwargs = _call_arguments(step, spec, outputs)
            lines = _call(node_id, spec, callables[spec.name], kwargs, outputs[node_id], names)
            body.extend(_with_policy(lines, node_id, spec, step))
    return _assemble(source, root, request, imports, constants, body, views, requirements)


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


def _wire_value(wire: tuple[str, str | None], outputs: dict[str, str]) -> str:
    source, key = wire
    return f"{outputs[source]}[{key!r}]" if key is not None else outputs[source]


def _call_arguments(step: Step, spec: NodeSpec, outputs: dict[str, str]) -> list[str]:
    arguments = []
    for param in spec.schema["params"]:
        name = param["name"]
        annotation = spec.param_types.get(name, Any)
        if name in step.wires:
            value = _wire_value(step.wires[name], outputs)
            hint = hint_source(annotation)
            arguments.append(f"{name}={f'convert({value}, {hint})' if hint else value}")
        elif name in step.inputs:
            try:
                constant = conversion.convert(codec.decode(step.inputs[name]), annotation)
            except conversion.ConversionError as exc:
                raise ExportError(f"node '{step.node_id}' ({spec.name}): input '{name}': {exc}") from None
            arguments.append(f"{name}={literal(constant)}")
        elif "default" not in param:
            raise ExportError(f"node '{step.node_id}' ({spec.name}): input '{name}' is not connected and has no value")
    return arguments


def _call(node_id: str, spec: NodeSpec, function: str, kwargs: list[str], out: str, names: _Names) -> list[str]:
    call = f"({', '.join(kwargs)})"
    if spec.kind == "function":
        return [f"{out} = {function}{call}" + _id_comment(node_id, out)]
    instance = names.claim(f"{out}_node")
    reporter = "report_progress" if spec.kind == "progress" else "report_stream"
    lines = [
        f"# '{node_id}': a {spec.kind} node; its {'reports go' if spec.kind == 'progress' else 'text goes'} to stderr",
        f"{instance} = {function}()",
        f"{reporter}({instance}, {node_id!r})",
        f"{out} = {instance}{call}",
    ]
    if spec.kind == "stream":
        lines.append("print(file=sys.stderr)  # end the streamed line")
    return lines


def _with_policy(lines: list[str], node_id: str, spec: NodeSpec, step: Step) -> list[str]:
    """The node's call made through ``run_node`` when it has a retry policy or a timeout."""
    policy = policy_of(spec, step.retry, step.timeout_s)
    if policy.times == 1 and policy.timeout_s is None:
        return lines
    # The call is the last line, or the one before a stream node's closing print.
    index = len(lines) - (2 if spec.kind == "stream" else 1)
    out, _, call = lines[index].partition(" = ")
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
) -> str:
    needs = [f"    {module}: {install}" for module, install in sorted(requirements.items())]
    out = [
        "#!/usr/bin/env python3",
        f'"""{source}, as a plain Python script (written by `psynapse export`).',
        "",
        "Calls the workflow's nodes in order, without Psynapse's services, and prints",
        "the view nodes' values as one JSON object. Progress and streamed text go to stderr.",
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
    out += ["", "# -- nodepacks, progress and stream reporters, view values as JSON ------------"]
    out += [*("\n" + inspect.getsource(fn) for fn in scripthelpers.HELPERS)]
    out += ["", "# -- the nodepack SDK, for packs that import psynapse where it is not installed", ""]
    out += [f"PSYNAPSE_SDK = {sdk_source()!r}"]
    out += ["", "# -- nodes ------------------------------------------------------------------", ""]
    out += [
        "check_requirements()",
        "provide_sdk()",
        *imports,
        "",
        "# -- variables --------------------------------------------------------------",
        "",
    ]
    out += [*constants, "", "", "def main() -> None:"]
    out += [textwrap.indent(line, "    ") for line in body]
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
