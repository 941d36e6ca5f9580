"""Rules on a node's inputs, written as ``Annotated`` metadata on its parameters.

    from typing import Annotated
    from annotated_types import Ge, Le, MaxLen

    def set_volume(level: Annotated[int, Ge(0), Le(100)]) -> int: ...
    def tag(name: Annotated[str, MaxLen(20), str.isidentifier]) -> str: ...

annotated-types' ``Gt``, ``Ge``, ``Lt``, ``Le``, ``MultipleOf``, ``MinLen`` and ``MaxLen``
(and ``Interval`` and ``Len``, which group them) are *bounds*: JSON Schema keywords in the
node's schema (``constraints``, and the catalog), so the gateway checks the values a graph
gives (a variable, a value typed in the node) before anything runs, without user code.
A plain function or an annotated-types ``Predicate`` is a *validator*: user code, so only
the runner calls it. The runner checks every rule on every value before calling the node.
A rule is broken when a bound does not hold (or cannot be compared), or a validator
answers false or raises ValueError, TypeError or AssertionError (returning None keeps it).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import annotated_types as at

Bounds = dict[str, int | float]

# annotated-types' bound -> (JSON Schema keyword, its attribute)
_BOUNDS: dict[type, tuple[str, str]] = {
    at.Gt: ("exclusiveMinimum", "gt"),
    at.Ge: ("minimum", "ge"),
    at.Lt: ("exclusiveMaximum", "lt"),
    at.Le: ("maximum", "le"),
    at.MultipleOf: ("multipleOf", "multiple_of"),
    at.MinLen: ("minLength", "min_length"),
    at.MaxLen: ("maxLength", "max_length"),
}


def _multiple(value: Any, step: Any) -> bool:
    quotient = value / step
    return math.isclose(quotient, round(quotient), rel_tol=0, abs_tol=1e-9)


# keyword -> (holds(value, bound), the rule in words)
_CHECKS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "exclusiveMinimum": (lambda value, bound: value > bound, "greater than {}"),
    "minimum": (lambda value, bound: value >= bound, "at least {}"),
    "exclusiveMaximum": (lambda value, bound: value < bound, "less than {}"),
    "maximum": (lambda value, bound: value <= bound, "at most {}"),
    "multipleOf": (_multiple, "a multiple of {}"),
    "minLength": (lambda value, bound: len(value) >= bound, "at least {} long"),
    "maxLength": (lambda value, bound: len(value) <= bound, "at most {} long"),
}


@dataclass(frozen=True)
class Rules:
    bounds: Bounds = field(default_factory=dict)
    validators: tuple[Callable[[Any], Any], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.bounds or self.validators)

    def describe(self) -> list[str]:
        """Each rule in words: ``at most 100``, ``is_even``."""
        return [_CHECKS[key][1].format(_number(bound)) for key, bound in self.bounds.items()] + [
            _name(validator) for validator in self.validators
        ]


def rules_of(metadata: Iterable[Any]) -> Rules:
    """The rules among a parameter's ``Annotated`` metadata (other metadata is not ours)."""
    bounds: Bounds = {}
    validators: list[Callable[[Any], Any]] = []
    for item in metadata:
        if isinstance(item, at.GroupedMetadata):
            grouped = rules_of(item)
            bounds.update(grouped.bounds)
            validators += grouped.validators
        elif type(item) in _BOUNDS:
            keyword, attr = _BOUNDS[type(item)]
            bounds[keyword] = getattr(item, attr)
        elif isinstance(item, at.Predicate):
            validators.append(item.func)
        elif callable(item) and not inspect.isclass(item):
            validators.append(item)
    return Rules(bounds, tuple(validators))


def broken_rule(value: Any, bounds: Bounds, validators: Iterable[Callable[[Any], Any]] = ()) -> str | None:
    """The first rule ``value`` breaks, in words; None when it keeps them all (None, the
    value of an ``Optional`` input left empty, keeps them all)."""
    if value is None:
        return None
    for keyword, bound in bounds.items():
        holds, words = _CHECKS.get(keyword, (None, ""))
        if holds is None:
            continue  # a keyword from a newer schema service
        try:
            kept = holds(value, bound)
        except (TypeError, ValueError, ZeroDivisionError):
            kept = False
        if not kept:
            return words.format(_number(bound))
    for validator in validators:
        try:
            answer = validator(value)
        except (ValueError, TypeError, AssertionError) as exc:
            return f"{_name(validator)}: {exc}" if str(exc) else _name(validator)
        if answer is False or (answer is not None and not answer):
            return _name(validator)
    return None


def _number(bound: Any) -> Any:
    """100, not 100.0: a bound as its author wrote it (JSON may have made it a float)."""
    return int(bound) if isinstance(bound, float) and bound.is_integer() else bound


def _name(validator: Callable[[Any], Any]) -> str:
    """``str.isdigit``, ``is_even``: its qualified name without the functions it was made in."""
    name = getattr(validator, "__qualname__", None)
    return name.rsplit("<locals>.", 1)[-1] if isinstance(name, str) else repr(validator)
