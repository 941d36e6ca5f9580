"""``psynapse pack check PATH|NAME``: a pack as Psynapse loads it, and what would go wrong.

Loads the pack with the services' own loader (``load_pack``: the same import, the same
introspection), then prints every node with its parameters (type, default, the editor
control each gets) and its outputs, and every problem: the pack's load errors (an import
error with its file and line), untyped parameters and types nothing can resolve (errors),
and what the editor cannot serve well (warnings). Exits 1 when there is an error, so a
pack's own CI can run it. ``check_path`` is the same for a pack's tests.

The target is a project folder (its ``pyproject.toml`` declares the packs; nothing needs to
be installed), a pack folder (``ops.py`` and the like), or the name of an installed pack or
of a folder of the nodepacks folder.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from psynapse_common.nodepacks import PACK_FILES, Catalog, NodeSpec, load_pack, packages
from psynapse_common.nodepacks.introspect import signature_problems

Severity = Literal["error", "warning"]


class CheckUsageError(Exception):
    """The target is no pack: nothing was checked."""


@dataclass
class Param:
    name: str
    type: str
    required: bool
    default: Any  # None when required
    control: str
    rules: list[str]  # its Annotated constraints, in words


@dataclass
class Node:
    name: str
    kind: str
    file: str
    line: int | None
    params: list[Param]
    outputs: list[dict[str, str]]


@dataclass
class Problem:
    severity: Severity
    file: str
    line: int | None
    node: str | None
    message: str


@dataclass
class PackCheck:
    pack: str
    source: str
    distribution: str | None
    version: str | None
    path: str
    nodes: list[Node] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    def text(self) -> str:
        origin = f"package {self.distribution} {self.version}" if self.source == "package" else "folder"
        lines = [f"{self.pack}  ({origin})  {self.path}"]
        for node in self.nodes:
            lines.append(f"  {node.name}  {node.kind} node  {_where(node.file, node.line)}")
            lines += _table(
                [
                    [
                        p.name,
                        p.type,
                        "required" if p.required else f"default {p.default!r}",
                        p.control + (f" [{', '.join(p.rules)}]" if p.rules else ""),
                    ]
                    for p in node.params
                ],
                indent="      ",
            )
            lines += [f"    -> {output['name']}: {output['type']}" for output in node.outputs]
        for problem in self.problems:
            about = f"{problem.node}: " if problem.node else ""
            lines.append(f"{problem.severity:<7}  {_where(problem.file, problem.line)}  {about}{problem.message}")
        count = len(self.nodes)
        lines.append(
            f"{self.pack}: {count} node{'s' * (count != 1)}, {_count(self.errors, 'error')}, "
            f"{_count(self.warnings, 'warning')}"
        )
        return "\n".join(lines)


def check_path(target: str | Path, nodepacks_dir: Path | None = None) -> list[PackCheck]:
    """Check a project folder, a pack folder, or a pack's name: one report per pack.

    Raises CheckUsageError when the target is none of them.
    """
    path = Path(target)
    if path.is_dir() and (path / "pyproject.toml").is_file():
        return _check_project(path.resolve())
    if path.is_dir() and any((path / name).is_file() for name in PACK_FILES):
        return [_report(load_pack(path.resolve()))]
    name = str(target)
    installed = [pack for pack in packages.installed_packs() if pack.name == name]
    if installed:
        return [_report(load_pack(pack)) for pack in installed]
    if nodepacks_dir is not None and re.fullmatch(r"[\w.-]+", name) and (nodepacks_dir / name).is_dir():
        return [_report(load_pack((nodepacks_dir / name).resolve()))]
    if path.is_dir():
        raise CheckUsageError(f"{path} has neither a pyproject.toml nor any of {', '.join(PACK_FILES)}")
    known = sorted({pack.name for pack in packages.installed_packs()})
    hint = f" (installed packs: {', '.join(known)})" if known else ""
    raise CheckUsageError(f"{target} is neither a folder nor an installed pack{hint}")


def _check_project(project: Path) -> list[PackCheck]:
    try:
        declared, root = packages.project_packs(project)
    except ValueError as exc:
        raise CheckUsageError(str(exc)) from None
    # As installed: its packages import from the project (before any installed copy).
    sys.path.insert(0, str(root))
    try:
        return [_report(load_pack(pack)) for pack in declared]
    finally:
        sys.path.remove(str(root))


def _report(catalog: Catalog) -> PackCheck:
    (pack,) = catalog.packs
    check = PackCheck(pack.name, pack.source, pack.distribution, pack.version, pack.path)
    for error in pack.errors:
        check.problems.append(Problem("error", error["file"], error["line"], None, error["message"]))
    for need in pack.missing:
        message = f"needs {need['module']}, which is not installed here ({need['install']})"
        check.problems.append(Problem("warning", need["file"], None, None, message))
    for listed in pack.nodes:
        spec = catalog.nodes[listed]
        node = _node(spec)
        check.nodes.append(node)
        for severity, message in signature_problems(spec.target, spec.kind):
            check.problems.append(Problem(severity, node.file, node.line, spec.name, message))
        for param in spec.schema["params"]:
            resolved = spec.param_types.get(param["name"], Any) is not Any
            if "default" not in param and resolved and _control(param).startswith("none"):
                message = (
                    f"parameter {param['name']!r} ({param['type']}) has no editor control: only a wire can feed it"
                )
                check.problems.append(Problem("warning", node.file, node.line, spec.name, message))
    check.problems.sort(key=lambda problem: problem.severity != "error")
    return check


def _node(spec: NodeSpec) -> Node:
    params = [
        Param(
            p["name"],
            p["type"],
            "default" not in p,
            p.get("default"),
            _control(p),
            spec.rules[p["name"]].describe() if p["name"] in spec.rules else [],
        )
        for p in spec.schema["params"]
    ]
    return Node(spec.name, spec.kind, spec.schema["filepath"], _line(spec.target), params, spec.schema["returns"])


def _line(target: Any) -> int | None:
    try:
        return inspect.getsourcelines(target)[1]
    except (OSError, TypeError):
        return None


# The editor's controls by type, as frontend/src/nodes/ParamControl.tsx picks them (through
# shapeOf in frontend/src/lib/typecheck.ts, and hasForm in frontend/src/lib/jsonSchema.ts for a
# json_schema): keep them in step.
_ALIASES = {"List": "list", "Dict": "dict", "Tuple": "tuple", "Set": "set", "string": "str"}
_CONTROLS = {
    "bool": "checkbox",
    "int": "number field (whole numbers)",
    "float": "number field",
    "str": "text field",
    "list": "JSON field",
    "dict": "JSON field",
    "tuple": "JSON field",
    "set": "JSON field",
    "Any": "text field (JSON when it parses)",
    # Uploaded to the object store (POST /files); the node gets a local path on its runner.
    "Path": "file picker",
    "PurePath": "file picker",
    "PosixPath": "file picker",
}


def _control(param: dict[str, Any]) -> str:
    rich = _form_schema(param.get("json_schema") or {})
    if rich.get("x-psynapse") == "image":
        return "image upload with a preview"
    if rich.get("x-psynapse") == "ndarray":
        return "JSON field (a list becomes an array)"
    if rich.get("type") == "object" and isinstance(rich.get("properties"), dict):
        return "form: " + ", ".join(rich["properties"])
    if isinstance(rich.get("enum"), list) and param["type"] != "Literal":
        return "select: " + ", ".join(repr(value) for value in rich["enum"])
    low, high = rich.get("minimum", rich.get("exclusiveMinimum")), rich.get("maximum", rich.get("exclusiveMaximum"))
    if rich.get("type") in ("integer", "number") and low is not None and high is not None:
        return f"slider and number field ({low} to {high})"
    base = _base(param["type"])
    if base == "Literal":
        return "select: " + ", ".join(repr(value) for value in param.get("literal_values", []))
    found = _CONTROLS.get(base)
    if found is not None:
        return found
    return f"none for {base}: only a wire feeds it (text typed in is passed as it is)"


def _form_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema the editor's form draws: an Optional's one member, a $ref's definition."""
    members = [m for m in schema.get("anyOf", [schema]) if isinstance(m, dict) and m.get("type") != "null"]
    only = members[0] if len(members) == 1 else schema
    ref = only.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return dict(schema.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {}))
    return only


def _base(type_name: str) -> str:
    text = type_name.strip() or "Any"
    optional = re.fullmatch(r"Optional\[(.*)\]", text)
    if optional:
        return _base(optional.group(1))
    if "|" in text:
        parts = [part.strip() for part in text.split("|") if part.strip() != "None"]
        return _base(parts[0]) if len(parts) == 1 else "Any"
    if text.startswith("Union["):
        return "Any"
    generic = re.fullmatch(r"([A-Za-z_][\w.]*)\[(.*)\]", text)
    if generic:
        text = generic.group(1)
    return _ALIASES.get(text, text)


def _where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


def _count(items: list[Problem], word: str) -> str:
    return f"{len(items)} {word}{'s' * (len(items) != 1)}"


def _table(rows: list[list[str]], indent: str) -> list[str]:
    if not rows:
        return [f"{indent}(no inputs)"]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    return [
        indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]


def main(args: argparse.Namespace) -> int:
    from psynapse_common.settings import Settings

    nodepacks = Path(args.nodepacks_dir) if args.nodepacks_dir else Settings().nodepacks_dir
    try:
        reports = check_path(args.target, nodepacks)
    except CheckUsageError as exc:
        print(f"psynapse pack check: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([dataclasses.asdict(report) for report in reports], indent=2, default=repr))
    else:
        print("\n\n".join(report.text() for report in reports))
    return 1 if any(report.errors for report in reports) else 0
