"""The values a graph gives its functions' bounded inputs, checked when it is planned.

A value typed in a function node, or a variable wired to it, is known before anything
runs: one that breaks a bound of its input (``constraints``) is a ``GraphError`` naming
the node, the input and the rule, so the gateway answers 400 and no node runs. Values
that come from other nodes are checked by the runner, before it calls the node.
"""

from __future__ import annotations

from typing import Any

from .constraints import Bounds, broken_rule
from .conversion import ConversionError, parse_number, variable_value
from .graph import VARIABLE, GraphError, Plan

_NUMERIC = ("exclusiveMinimum", "minimum", "exclusiveMaximum", "maximum", "multipleOf")
_MISSING = object()


def check_given_values(plan: Plan) -> None:
    for node_id, spec in plan.functions.items():
        if not spec.constraints:
            continue
        node = plan.nodes[node_id]
        wired = {edge.target_handle: plan.nodes[edge.source] for edge in plan.incoming[node_id]}
        for param, bounds in spec.constraints.items():
            value = _given(node.data, wired.get(param), param, bounds)
            if value is _MISSING:
                continue
            broken = broken_rule(value, bounds)
            if broken is not None:
                raise GraphError(
                    f"Node '{node_id}' ({spec.name}): input '{param}' = {value!r} breaks its rule: {broken}"
                )


def _given(data: dict[str, Any], source: Any, param: str, bounds: Bounds) -> Any:
    """The value as the node will take it, when the graph fixes it; else _MISSING (a value
    that does not convert fails at its node, with the conversion's own words)."""
    try:
        if source is not None:
            if source.type != VARIABLE:
                return _MISSING
            value = variable_value(source.data)
        elif param in data:
            value = data[param]
        else:
            return _MISSING
        if isinstance(value, str) and any(keyword in bounds for keyword in _NUMERIC):
            value = parse_number(value)
    except ConversionError:
        return _MISSING
    return value
