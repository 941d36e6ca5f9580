"""Rich parameter types: ``Enum``, ``Literal``, dataclasses, ``TypedDict`` and Pydantic models.

pydantic's ``TypeAdapter`` is the one thing that knows them: it writes the JSON Schema the
node's schema carries (``json_schema``, with the ``Annotated`` bounds folded in: the editor
draws its form from it) and it turns the JSON a graph gives (a dict, an Enum's value) into
the object the node's code expects. ``PIL.Image.Image`` and ``numpy.ndarray`` have no JSON
Schema; theirs says what they are (``x-psynapse``) so the editor can give them a control.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import functools
import io
import json
import operator
import sys
import types
import typing
from typing import Any, Literal, Union, cast, get_args, get_origin

import pydantic
import typing_extensions

from .constraints import rules_of

# The editor's controls for values JSON cannot be: by the type's module and name.
_OPAQUE: dict[tuple[str, str], dict[str, Any]] = {
    ("PIL.Image", "Image"): {"type": "string", "contentMediaType": "image/png", "x-psynapse": "image"},
    ("numpy", "ndarray"): {"type": "array", "x-psynapse": "ndarray"},
}

_SCHEMA_ERRORS = (pydantic.PydanticUserError, pydantic.errors.PydanticInvalidForJsonSchema, TypeError, NameError)


class RichTypeError(ValueError):
    """A value that does not fit a rich type, worded with the field it went wrong in."""


def is_model_like(hint: Any) -> bool:
    """An Enum, a dataclass, a TypedDict or a Pydantic model, at any depth of ``hint``."""
    hint = _bare(hint)
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum) or issubclass(hint, pydantic.BaseModel):
            return True
        if dataclasses.is_dataclass(hint) or typing_extensions.is_typeddict(hint):
            return True
    return any(is_model_like(arg) for arg in get_args(hint) if not isinstance(arg, (list, type(Ellipsis))))


def opaque_schema(hint: Any) -> dict[str, Any] | None:
    """The schema of an image or an array parameter (also ``Optional``), or None."""
    hint = _bare(hint)
    if get_origin(hint) in (Union, types.UnionType):
        members = [arg for arg in get_args(hint) if arg is not type(None)]
        return opaque_schema(members[0]) if len(members) == 1 else None
    key = (getattr(hint, "__module__", ""), getattr(hint, "__name__", ""))
    found = _OPAQUE.get(key)
    return dict(found) if found is not None else None


def json_schema(hint: Any) -> dict[str, Any] | None:
    """The JSON Schema of a parameter or return hint (``Annotated`` kept) when it is rich
    (an Enum, a Literal, a dataclass, a TypedDict, a Pydantic model, at any depth, or a
    value with bounds), else None: plain types keep only their ``type`` string."""
    opaque = opaque_schema(hint)
    if opaque is not None:
        return opaque
    if not (is_model_like(hint) or _has_literal(hint) or _bounded(hint)):
        return None
    try:
        return _adapter(hint).json_schema()
    except _SCHEMA_ERRORS:
        return None


def validate(value: Any, hint: Any) -> Any:
    """``value`` as the rich type ``hint`` wants: a dict (or its JSON text) becomes the
    dataclass, TypedDict or model, a string the Enum member (by value, else by name)."""
    hint = _bare(hint)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RichTypeError(f"{value!r} is not valid JSON: {exc.msg}") from None
    if isinstance(hint, type) and issubclass(hint, enum.Enum) and isinstance(value, str):
        by_value = {str(member.value): member for member in hint}
        if value in by_value:
            return by_value[value]
        if value in hint.__members__:
            return hint.__members__[value]
    try:
        adapter = _adapter(hint)
    except _SCHEMA_ERRORS:
        return value  # a type pydantic cannot check: the node gets the value as it came
    if not (isinstance(hint, type) and not typing_extensions.is_typeddict(hint) and isinstance(value, hint)):
        value = as_fields(value)  # a dataclass output wired to a TypedDict input of its shape
    try:
        return adapter.validate_python(value)
    except pydantic.ValidationError as exc:
        raise RichTypeError(_worded(exc)) from None


def as_fields(value: Any) -> Any:
    """A dataclass or a Pydantic model instance as the dict of its fields; else the value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: as_fields(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, pydantic.BaseModel):
        return {name: as_fields(getattr(value, name)) for name in type(value).model_fields}
    return value


def opaque_value(value: Any, hint: Any) -> Any:
    """An image parameter's value from a data URL (an Image variable's, an upload), an
    array parameter's from a list or an image (its pixels); anything else as it came (an
    image another node gave arrives as one)."""
    kind = (opaque_schema(hint) or {}).get("x-psynapse")
    if isinstance(value, str) and value.startswith("data:image/"):
        from PIL import Image

        try:
            image = Image.open(io.BytesIO(base64.b64decode(value.partition(",")[2], validate=True)))
            image.load()
        except (ValueError, OSError) as exc:
            raise RichTypeError(f"the image cannot be read: {exc}") from None
        if kind == "image":
            return image
        import numpy as np

        return np.asarray(image)
    if kind == "ndarray" and type(value).__module__.startswith("PIL.") and hasattr(value, "getdata"):
        import numpy as np

        return np.asarray(value)  # an image another node gave, as its pixels
    if kind == "ndarray" and isinstance(value, (list, tuple, int, float)):
        import numpy as np

        try:
            return np.asarray(value)
        except ValueError as exc:
            raise RichTypeError(f"not an array: {exc}") from None
    return value


def _worded(exc: pydantic.ValidationError) -> str:
    """``field 'size.width': Input should be greater than or equal to 1 (got 0)``, joined."""
    parts = []
    for error in exc.errors(include_url=False)[:5]:
        where = ".".join(str(step) for step in error["loc"])
        got = repr(error["input"])
        got = got if len(got) <= 60 else got[:60] + "…"
        what = f"{error['msg']} (got {got})" if error["type"] != "missing" else "is required"
        parts.append(f"field '{where}': {what}" if where else what)
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


@functools.lru_cache(maxsize=512)
def _adapter(hint: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(_adaptable(hint))


def _adaptable(hint: Any) -> Any:
    """``hint`` with its ``typing.TypedDict`` classes remade as typing_extensions' ones
    (pydantic takes only those before Python 3.12)."""
    if sys.version_info >= (3, 12):
        return hint
    if isinstance(hint, type) and typing_extensions.is_typeddict(hint) and not _from_extensions(hint):
        return _remade(hint)
    args = get_args(hint)
    if not args or get_origin(hint) is Literal:
        return hint
    remade = tuple(_adaptable(arg) if not isinstance(arg, list) else arg for arg in args)
    if remade == args:
        return hint
    origin = get_origin(hint)
    if origin is typing.Annotated:
        return typing.Annotated[(remade[0], *hint.__metadata__)]
    if origin in (Union, types.UnionType):
        return functools.reduce(operator.or_, remade)
    return hint.copy_with(remade) if hasattr(hint, "copy_with") else origin[remade]


@functools.lru_cache(maxsize=128)
def _remade(cls: type) -> Any:
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: dict[str, Any] = {}
    for name, hint in hints.items():
        inner = _adaptable(hint)
        required = name in getattr(cls, "__required_keys__", frozenset(hints))
        fields[name] = inner if required else typing_extensions.NotRequired[inner]
    made = cast(Any, typing_extensions.TypedDict)(cls.__name__, fields)
    made.__module__ = cls.__module__
    return made


def _from_extensions(cls: type) -> bool:
    return type(cls).__module__ == "typing_extensions"


def _bare(hint: Any) -> Any:
    while get_origin(hint) is typing.Annotated:
        hint = get_args(hint)[0]
    return hint


def _has_literal(hint: Any) -> bool:
    if get_origin(hint) is Literal:
        return True
    return any(_has_literal(arg) for arg in get_args(hint) if not isinstance(arg, (list, type(Ellipsis))))


def _bounded(hint: Any) -> bool:
    """``Annotated[...]`` with a bound (see constraints), also inside ``Optional``."""
    if get_origin(hint) is typing.Annotated:
        return bool(rules_of(hint.__metadata__).bounds)
    if get_origin(hint) in (Union, types.UnionType):
        return any(_bounded(arg) for arg in get_args(hint))
    return False
