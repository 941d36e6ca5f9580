"""What the built-in nodes do with their inputs: values in, value out, all encoded.

Runners execute built-ins inside segments like any node, with this module; so does
the in-process baseline. Values stay encoded: a list is the msgpack array of its
inputs' bytes, a view passes its one input on, a branch passes its value on along
the output it takes and ``SKIPPED`` along the others. Only a branch's condition or
switched value is decoded, to decide.
"""

from __future__ import annotations

import re

import msgspec

from . import codec
from .conversion import case_text, truth, variable_value
from .graph import IF, IF_OUTPUTS, LIST, PORT, SWITCH, SWITCH_DEFAULT, VARIABLE, VIEW
from .messages import NIL, Step

_LIST_HANDLE = re.compile(r"^input-(\d+)$")


def list_position(handle: str) -> int:
    match = _LIST_HANDLE.match(handle)
    return int(match.group(1)) if match else 0


def required_inputs(step: Step) -> set[str]:
    """A built-in's inputs without which it is skipped when they arrive untaken (a
    list takes the items that came; it is skipped only when none did)."""
    if step.node_type == IF:
        return {"condition", "value"}
    if step.node_type == SWITCH:
        return {"value"}
    if step.node_type in (VIEW, PORT):
        return {"input"}
    return set()


def evaluate(step: Step, inputs: dict[str, msgspec.Raw], blobs: dict[str, bytes] | None = None) -> msgspec.Raw:
    """A built-in's output (raises ConversionError on bad data or an undecidable condition).

    ``inputs`` holds only inputs that arrived: an untaken one is left out by the walk.
    """
    if step.node_type == VARIABLE:
        return msgspec.Raw(codec.encode(variable_value(step.data)))
    if step.node_type == LIST:
        ordered = sorted(inputs, key=list_position)
        return msgspec.Raw(msgspec.msgpack.encode([inputs[handle] for handle in ordered]))
    if step.node_type in (VIEW, PORT):
        return next(iter(inputs.values())) if inputs else NIL
    if step.node_type == IF:
        taken = "true" if truth(codec.decode(inputs["condition"], blobs)) else "false"
        return _routed(IF_OUTPUTS, taken, inputs.get("value", NIL))
    if step.node_type == SWITCH:
        value = inputs["value"]
        cases = list(step.data.get("cases", []))  # checked when the run was planned
        text = case_text(codec.decode(value, blobs))
        return _routed([*cases, SWITCH_DEFAULT], text if text in cases else SWITCH_DEFAULT, value)
    raise ValueError(f"node type {step.node_type!r} is not a built-in")


def _routed(outputs: list[str], taken: str, value: msgspec.Raw) -> msgspec.Raw:
    return msgspec.Raw(msgspec.msgpack.encode({key: value if key == taken else codec.SKIPPED for key in outputs}))
