"""Basic nodes: arithmetic, text and small list helpers."""

import math
from typing import Any, Literal

from psynapse import AnnotatedDict


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def subtract(a: float, b: float) -> float:
    """Subtract b from a."""
    return a - b


def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def divide(a: float, b: float) -> float:
    """Divide a by b. Dividing by zero is an error."""
    if b == 0:
        # Python words this "float division by zero" for floats; one message
        # whatever numbers the editor sends.
        raise ZeroDivisionError("division by zero")
    return a / b


def power(a: float, b: float) -> float:
    """Raise a to the power b."""
    return a**b


def int_add(a: int, b: int) -> int:
    """Add two whole numbers."""
    return a + b


def round_number(x: float, mode: Literal["nearest", "floor", "ceil"] = "nearest") -> int:
    """Round a number to a whole number: to the nearest (ties to even), down or up."""
    if mode == "floor":
        return math.floor(x)
    if mode == "ceil":
        return math.ceil(x)
    return round(x)


def sum_list(values: list) -> float:
    """Add up all numbers in a list (0 for an empty list)."""
    return float(sum(values))


def concat(a: str, b: str, separator: str = " ") -> str:
    """Join two texts with a separator between them."""
    return f"{a}{separator}{b}"


def upper(text: str) -> str:
    """Turn text into UPPER CASE."""
    return text.upper()


def lower(text: str) -> str:
    """Turn text into lower case."""
    return text.lower()


def word_count(text: str) -> int:
    """Count the words (runs of non-space characters) in a text."""
    return len(text.split())


def format_text(template: str, value: Any) -> str:
    """Fill `{}` (or `{value}`) in the template with the value, e.g. "Total: {}"."""
    return template.format(value, value=value)


def split_name(full_name: str) -> AnnotatedDict[Literal["first", "last"]]:
    """Split a full name at the first space: "Ada King Lovelace" -> "Ada" / "King Lovelace"."""
    first, _, last = full_name.strip().partition(" ")
    return {"first": first, "last": last.strip()}


def to_list(value: Any) -> list:
    """Make a list from a value: lists stay, tuples and sets convert, anything else is wrapped."""
    if isinstance(value, list):
        return value
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    return [value]


def list_length(values: list) -> int:
    """Count the items of a list."""
    return len(values)
