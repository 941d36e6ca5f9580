"""Workflow files on disk -> the graph the API takes, for ``psynapse run`` and ``export``.

Two shapes are accepted: the editor's export (``version``, node ``position``s, edge
``id``s, every field the editor keeps) and the plain API body ``{"nodes", "edges"}``.
Both become the API body the editor itself would send (``frontend/src/lib/serialize.ts``):
function inputs left empty in the editor are dropped so their defaults apply, and an
empty ``variableName`` is dropped.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from psynapse_common.conversion import ConversionError, variable_value


class WorkflowFileError(ValueError):
    """A file that is not a workflow, or a --set that does not fit it (exit code 2)."""


def load_workflow(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkflowFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkflowFileError(f"{path} is not JSON: {exc.msg} (line {exc.lineno})") from None
    try:
        return to_request(body)
    except WorkflowFileError as exc:
        raise WorkflowFileError(f"{path}: {exc}") from None


def to_request(body: Any) -> dict[str, Any]:
    """An editor export or an API body -> a fresh API body (the input is not changed)."""
    if not isinstance(body, dict) or not isinstance(body.get("nodes"), list) or not isinstance(body.get("edges"), list):
        raise WorkflowFileError('a workflow file is {"nodes": [...], "edges": [...]}')
    nodes = [_node(raw, index) for index, raw in enumerate(body["nodes"])]
    edges = [_edge(raw, index) for index, raw in enumerate(body["edges"])]
    request: dict[str, Any] = {"nodes": nodes, "edges": edges}
    for key in ("env_vars", "cache"):
        if key in body:
            request[key] = body[key]
    return request


def _node(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise WorkflowFileError(f"node #{index + 1} has no id")
    data = raw.get("data") or {}
    if not isinstance(data, dict):
        raise WorkflowFileError(f"node '{raw['id']}' has data that is not an object")
    data = copy.deepcopy(data)
    kind = raw.get("type")
    if kind == "functionNode":
        # The editor sends no value for an input left empty, so the default applies.
        data = {k: v for k, v in data.items() if k == "functionName" or v != ""}
    elif kind == "variableNode" and not data.get("variableName"):
        data.pop("variableName", None)
    return {"id": raw["id"], "type": kind, "data": data}


def _edge(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict) or not isinstance(raw.get("source"), str) or not isinstance(raw.get("target"), str):
        raise WorkflowFileError(f"edge #{index + 1} needs a source and a target node id")
    return {
        "source": raw["source"],
        "target": raw["target"],
        "sourceHandle": raw.get("sourceHandle"),
        "targetHandle": raw.get("targetHandle"),
    }


# -- named inputs (--set) -------------------------------------------------------
def parse_assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise WorkflowFileError(f"--set {text!r}: write it as name=value")
    return name.strip(), value


def parse_value(text: str) -> Any:
    """A --set value: JSON when it parses (7, true, [1, 2], {"k": 1}), else the text itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def variable_names(request: dict[str, Any]) -> list[str]:
    names = {
        str(node["data"]["variableName"])
        for node in request["nodes"]
        if node["type"] == "variableNode" and node["data"].get("variableName")
    }
    return sorted(names)


def apply_sets(request: dict[str, Any], assignments: list[tuple[str, str]]) -> None:
    """Set the value of every variable node named ``name`` (in place).

    A String or Image variable keeps the text as typed unless it is a quoted JSON
    string, so ``--set title=true`` gives the text "true", not "True".
    """
    for name, text in assignments:
        targets = [
            node
            for node in request["nodes"]
            if node["type"] == "variableNode" and node["data"].get("variableName") == name
        ]
        if not targets:
            known = ", ".join(variable_names(request)) or "none; name a variable node in the editor"
            raise WorkflowFileError(f"--set {name}: no variable node is named {name!r} (named variables: {known})")
        for node in targets:
            data = node["data"]
            value = parse_value(text)
            if data.get("variableType", "String") in ("String", "Image") and not isinstance(value, str):
                value = text
            data["variableValue"] = value
            try:
                variable_value(data)
            except ConversionError as exc:
                raise WorkflowFileError(f"--set {name}={text}: {exc}") from None
