"""Built-in node semantics and input conversion (spec §"Type System")."""

from __future__ import annotations

import functools
import json
import os
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

from .rich_types import RichTypeError, as_fields, is_model_like, opaque_schema, opaque_value, validate

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


class ConversionError(ValueError):
    pass


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise ConversionError(f"{value!r} is not a boolean (use true/false, 1/0, yes/no)")


def parse_number(value: Any) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                pass
    raise ConversionError(f"{value!r} is not a number")


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        return value  # spec: bools stay as they are
    if isinstance(value, int):
        return value
    number = parse_number(value)
    if isinstance(number, float) and not number.is_integer():
        raise ConversionError(f"{value!r} is not a whole number")
    return int(number)


def _to_float(value: Any) -> float:
    if isinstance(value, float):
        return value
    return float(parse_number(value))


def _to_json_container(value: Any, kind: type) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ConversionError(f"{value!r} is not valid JSON: {exc.msg}") from None
    if kind is list and isinstance(value, (tuple, set)):
        value = list(value)
    if not isinstance(value, kind):
        raise ConversionError(f"expected a {kind.__name__}, got {type(value).__name__}")
    return value


def convert(value: Any, annotation: Any) -> Any:
    """Convert ``value`` to the hinted type; untyped parameters get values as they are."""
    if annotation is Any or annotation is None:
        return value
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if value is None:
            return None
        return convert(value, args[0]) if len(args) == 1 else value
    if origin is Literal:
        allowed = typing.get_args(annotation)
        if value in allowed:
            return value
        for option in allowed:
            if str(option) == str(value):
                return option
        raise ConversionError(f"{value!r} is not one of {', '.join(map(repr, allowed))}")
    target = origin or annotation
    if target is bool:
        return parse_bool(value)
    if target is int:
        return _to_int(value)
    if target is float:
        return _to_float(value)
    if target is str:
        return value if isinstance(value, str) else str(value)
    if target is list:
        return _to_json_container(value, list)
    if target is dict:
        return _to_json_container(value, dict)
    if isinstance(target, type) and issubclass(target, Path):
        return _to_path(value, target)
    return value


def _to_path(value: Any, kind: type[Path]) -> Path:
    """A path typed in (text), or the local file an uploaded file became on this runner."""
    if isinstance(value, kind):
        return value
    if isinstance(value, (str, os.PathLike)) and str(value):
        return kind(value)
    raise ConversionError(f"expected a file (upload one) or a path, got {type(value).__name__}")


def convert_input(value: Any, annotation: Any) -> Any:
    """A node's input as its hint wants it (what a runner gives the node): ``convert``, and
    rich types through pydantic (see rich_types). ``convert`` stands alone, without them: an
    exported script carries a copy of it."""
    try:
        route = _route_of(annotation)
    except TypeError:  # an unhashable hint (Annotated with a list in it): judged each time
        route = _route(annotation)
    try:
        if route == "model":
            # An Enum, a dataclass, a TypedDict, a Pydantic model (or a container of them).
            return validate(value, annotation)
        if route == "opaque":
            return opaque_value(value, annotation)  # a PIL image, a numpy array
    except RichTypeError as exc:
        raise ConversionError(str(exc)) from None
    if route == "fields":
        value = as_fields(value)  # a dataclass or a model another node gave, as its fields
    return convert(value, annotation)


def _route(annotation: Any) -> str:
    if is_model_like(annotation):
        return "model"
    if opaque_schema(annotation) is not None:
        return "opaque"
    return "fields" if (typing.get_origin(annotation) or annotation) is dict else "plain"


# Every input of every call asks: a function's hints are few and never change, and walking
# them (typing introspection) cost more than the rest of a quick node's call.
_route_of = functools.lru_cache(maxsize=4096)(_route)


# -- variable nodes ------------------------------------------------------------
VARIABLE_TYPES = ("String", "Number", "Boolean", "List", "Object", "Image")


def truth(value: Any) -> bool:
    """A branch's condition: Python's truthiness ("" / 0 / [] / {} / None / Skip are false)."""
    try:
        return bool(value)
    except Exception as exc:  # noqa: BLE001 - any object's __bool__ may refuse (an array's does)
        raise ConversionError(
            f"a condition must be true or false; {type(value).__name__} has no single truth value ({exc})"
        ) from None


def case_text(value: Any) -> str:
    """A switched value as the case it matches: its text as the editor shows it
    (true/false/null, 54 for 54.0, strings as they are)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def variable_value(data: dict[str, Any]) -> Any:
    kind = data.get("variableType", "String")
    raw = data.get("variableValue")
    if kind not in VARIABLE_TYPES:
        raise ConversionError(f"unknown variableType {kind!r}; use one of {', '.join(VARIABLE_TYPES)}")
    if kind == "String":
        value: Any = "" if raw is None else (raw if isinstance(raw, str) else str(raw))
    elif kind == "Number":
        value = parse_number(0 if raw in (None, "") else raw)
    elif kind == "Boolean":
        value = parse_bool(False if raw is None else raw)
    elif kind == "List":
        value = _to_json_container([] if raw in (None, "") else raw, list)
    elif kind == "Object":
        value = _to_json_container({} if raw in (None, "") else raw, dict)
    else:
        value = "" if raw is None else str(raw)
    return _format_message(kind, value, data)


def _format_message(kind: str, value: Any, data: dict[str, Any]) -> Any:
    role = data.get("llmMessageRole") or "user"
    if role not in ("user", "assistant", "system"):
        raise ConversionError(f"unknown llmMessageRole {role!r}; use user, assistant or system")
    if kind == "Image" and (data.get("imageContentFormat") or data.get("llmMessageFormat")):
        # The spec's image message: an OpenAI vision call takes its content as parts.
        part = {"type": "image_url", "image_url": {"url": value}}
        if data.get("llmMessageFormat"):
            return {"role": role, "content": [part]}
        return part
    if data.get("llmMessageFormat"):
        return {"role": role, "content": value}
    if data.get("textContentFormat"):
        return {"type": "text", "content": value}
    return value
