"""What the built-in nodes do with their inputs: values in, value out, all encoded.

Runners execute built-ins inside segments like any node, with this module; so does
the in-process baseline. Values stay encoded: a list is the msgpack array of its
inputs' bytes, a view passes its one input on.
"""

from __future__ import annotations

import re

import msgspec

from . import codec
from .conversion import variable_value
from .graph import LIST, VARIABLE, VIEW
from .messages import NIL, Step

_LIST_HANDLE = re.compile(r"^input-(\d+)$")


def list_position(handle: str) -> int:
    match = _LIST_HANDLE.match(handle)
    return int(match.group(1)) if match else 0


def evaluate(step: Step, inputs: dict[str, msgspec.Raw]) -> msgspec.Raw:
    """A built-in's output (raises ConversionError on bad variable data)."""
    if step.node_type == VARIABLE:
        return msgspec.Raw(codec.encode(variable_value(step.data)))
    if step.node_type == LIST:
        ordered = sorted(inputs, key=list_position)
        return msgspec.Raw(msgspec.msgpack.encode([inputs[handle] for handle in ordered]))
    if step.node_type == VIEW:
        return next(iter(inputs.values())) if inputs else NIL
    raise ValueError(f"node type {step.node_type!r} is not a built-in")
