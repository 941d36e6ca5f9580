"""Turn a nodepack function or class into the schema dict the editor draws (spec §1).

Pure: it only reads objects the loader has already imported; nothing here
imports or runs user code beyond reading signatures and type hints.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin

import pydantic
import pydantic_core

from psynapse.sdk import AnnotatedDict

from ..constraints import Rules, rules_of
from ..rich_types import json_schema

NodeKind = Literal["function", "progress", "stream"]

_EMPTY = inspect.Parameter.empty
# What evaluating a hint can raise: unknown name, bad expression, a
# subscription that does not type-check, an attribute missing on a module.
_HINT_ERRORS = (NameError, AttributeError, TypeError, SyntaxError)
# *args / **kwargs cannot be wired in the editor, so they are not params.
_VARIADIC = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)


@dataclass(frozen=True)
class Introspection:
    schema: dict[str, Any]
    param_types: dict[str, Any]
    output_keys: tuple[str, ...] | None
    # The rules its parameters' Annotated metadata set (see constraints), by parameter.
    rules: dict[str, Rules] = field(default_factory=dict)


def type_name(annotation: Any) -> str:
    """The short type name the editor shows and picks input widgets by."""
    if annotation is _EMPTY or annotation is Any or isinstance(annotation, typing.TypeVar):
        return "Any"
    if annotation is None or annotation is type(None):
        return "None"
    if isinstance(annotation, str):  # a forward reference nothing could resolve
        return annotation
    if isinstance(annotation, typing.ForwardRef):
        return annotation.__forward_arg__
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "Literal"
    if origin is typing.Annotated:  # only reachable for unresolved raw hints
        return type_name(args[0])
    if origin is Union or origin is types.UnionType:
        return _union_name(args)
    if annotation is AnnotatedDict or origin is AnnotatedDict:
        return "dict"
    if origin is not None:
        base = _plain_name(origin)
        return f"{base}[{', '.join(_arg_name(a) for a in args)}]" if args else base
    return _plain_name(annotation)


def is_node_class(cls: type) -> bool:
    """True when the class (or a user base) defines `__call__`.

    `hasattr(cls, "__call__")` is always true, since every class is callable
    through `type`, so the MRO is searched instead.
    """
    return any("__call__" in vars(klass) for klass in cls.__mro__ if klass is not object)


def introspect(target: Any, kind: NodeKind, *, name: str, filepath: str, nodepack: str) -> Introspection:
    """Build the schema of a function (a plain one; an async generator one streams) or of a class's `__call__`.

    Raises ValueError/TypeError when Python cannot produce a signature.
    """
    if inspect.isfunction(target):
        func, drop_first, doc = target, False, inspect.getdoc(target) or ""
    else:
        func, drop_first = _call_method(target)
        # The class's own words first; a docstring inherited from a library
        # base class (say torch's Module) describes the base, not this node.
        doc = _own_doc(target) or _own_doc(func)
    params = list(inspect.signature(func).parameters.values())
    if drop_first:
        params = params[1:]
    hints = _resolve_hints(func)
    param_schemas, param_types = _params(params, hints)
    rules = _rules(func, [param.name for param in params])
    for item in param_schemas:
        if item["name"] in rules and rules[item["name"]].bounds:
            item["constraints"] = dict(rules[item["name"]].bounds)
    _add_json_schemas(func, param_schemas, hints)
    returns, output_keys = _returns(hints.get("return", _EMPTY))
    if inspect.isasyncgenfunction(func):
        # Its items are streamed; its output is their text, joined.
        returns, output_keys = [{"name": "result", "type": "str"}], None
    schema = {
        "name": name,
        "params": param_schemas,
        "returns": returns,
        "docstring": doc,
        "filepath": filepath,
        "nodepack": nodepack,
        "is_progress_node": kind == "progress",
        "is_stream_node": kind == "stream",
    }
    return Introspection(schema=schema, param_types=param_types, output_keys=output_keys, rules=rules)


Severity = Literal["error", "warning"]


def signature_problems(target: Any, kind: NodeKind) -> list[tuple[Severity, str]]:
    """What in a node's signature the editor cannot serve well, worst first.

    Errors: a parameter without a type hint (no control can be picked, no value is
    converted), a hint whose names cannot be resolved. Warnings: ``*args``/``**kwargs``
    (never inputs), a default JSON cannot carry (shown as its repr), no return hint.
    """
    func, drop_first = (target, False) if inspect.isfunction(target) else _call_method(target)
    params = list(inspect.signature(func).parameters.values())[1 if drop_first else 0 :]
    hints = _resolve_hints(func)
    errors: list[tuple[Severity, str]] = []
    warnings: list[tuple[Severity, str]] = []
    for param in params:
        if param.kind in _VARIADIC:
            stars = "*" if param.kind is inspect.Parameter.VAR_POSITIONAL else "**"
            warnings.append(("warning", f"{stars}{param.name} is not an input: the editor cannot wire it"))
            continue
        hint = hints.get(param.name, _EMPTY)
        if hint is _EMPTY:
            errors.append(("error", f"parameter {param.name!r} has no type hint"))
        elif _unresolved(hint):
            errors.append(("error", f"parameter {param.name!r} has an unsupported type: {_undefined(hint)}"))
        if param.default is not _EMPTY and _jsonable(param.default) is not param.default:
            warnings.append(
                ("warning", f"the default of {param.name!r} is not JSON: the editor shows {param.default!r}")
            )
    returns = hints.get("return", _EMPTY)
    if returns is _EMPTY and not inspect.isasyncgenfunction(func):
        warnings.append(("warning", "no return type hint: its output is typed Any"))
    elif _unresolved(returns):
        errors.append(("error", f"the return type is unsupported: {_undefined(returns)}"))
    return errors + warnings


def _undefined(hint: Any) -> str:
    return f"{type_name(hint)!r} names a type that is not defined where the node is"


def _unresolved(hint: Any) -> bool:
    """A name nothing could resolve, at any depth (``list["Missing"]``)."""
    if isinstance(hint, (str, typing.ForwardRef)):
        return True
    if get_origin(hint) is Literal:
        return False
    return any(_unresolved(arg) for arg in get_args(hint) if not isinstance(arg, (list, type(Ellipsis))))


def _params(params: list[inspect.Parameter], hints: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    schemas: list[dict[str, Any]] = []
    types_by_name: dict[str, Any] = {}
    for param in params:
        if param.kind in _VARIADIC:
            continue
        hint = hints.get(param.name, _EMPTY)
        item: dict[str, Any] = {"name": param.name, "type": type_name(hint)}
        if param.default is not _EMPTY:
            item["default"] = _jsonable(param.default)
        if get_origin(hint) is Literal:
            item["literal_values"] = [_jsonable(v) for v in get_args(hint)]
        schemas.append(item)
        # An unresolved string hint names a type but is not one.
        types_by_name[param.name] = Any if hint is _EMPTY or isinstance(hint, str) else hint
    return schemas, types_by_name


def _rules(func: Any, names: list[str]) -> dict[str, Rules]:
    """The rules in each parameter's ``Annotated[...]`` (also inside ``Optional``)."""
    try:
        hints = typing.get_type_hints(func, include_extras=True)
    except _HINT_ERRORS:
        return {}
    found: dict[str, Rules] = {}
    for name in names:
        hint = hints.get(name)
        if get_origin(hint) in (Union, types.UnionType):
            hint = next((arg for arg in get_args(hint) if get_origin(arg) is typing.Annotated), hint)
        if get_origin(hint) is typing.Annotated:
            rules = rules_of(get_args(hint)[1:])
            if rules:
                found[name] = rules
    return found


def _add_json_schemas(func: Any, param_schemas: list[dict[str, Any]], hints: dict[str, Any]) -> None:
    """``json_schema`` on each rich parameter (see rich_types), its ``Annotated`` bounds in it."""
    try:
        extras = typing.get_type_hints(func, include_extras=True)
    except _HINT_ERRORS:
        extras = hints
    for item in param_schemas:
        hint = extras.get(item["name"], _EMPTY)
        found = None if hint is _EMPTY or _unresolved(hint) else json_schema(hint)
        if found is not None:
            item["json_schema"] = found


def _output(name: str, hint: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "type": type_name(hint)}
    found = None if hint is _EMPTY or _unresolved(hint) else json_schema(hint)
    if found is not None:
        item["json_schema"] = found
    return item


def _returns(hint: Any) -> tuple[list[dict[str, Any]], tuple[str, ...] | None]:
    if get_origin(hint) is AnnotatedDict:
        key_type, value_type = get_args(hint)
        if get_origin(key_type) is Literal:
            keys = tuple(str(k) for k in get_args(key_type))
            return [_output(k, value_type) for k in keys], keys
    return [_output("result", hint)], None


def _resolve_hints(func: Any) -> dict[str, Any]:
    """Evaluated hints; one unresolvable hint must not blank the others."""
    try:
        return typing.get_type_hints(func)
    except _HINT_ERRORS:
        globalns = getattr(inspect.unwrap(func), "__globals__", {})
        raw = getattr(func, "__annotations__", None) or {}
        return {name: _resolve_one(hint, globalns) for name, hint in raw.items()}


def _resolve_one(hint: Any, globalns: dict[str, Any]) -> Any:
    holder = types.SimpleNamespace(__annotations__={"hint": hint})
    try:
        return typing.get_type_hints(holder, globalns=globalns)["hint"]
    except _HINT_ERRORS:
        return hint


def _call_method(cls: type) -> tuple[Any, bool]:
    """The function behind `cls.__call__`, and whether its first param is self/cls."""
    raw = inspect.getattr_static(cls, "__call__")
    if isinstance(raw, staticmethod):
        return raw.__func__, False
    if isinstance(raw, classmethod):
        return raw.__func__, True
    return raw, True


def _own_doc(obj: Any) -> str:
    # Not inspect.getdoc: for a `__call__` without a docstring it walks up to
    # object's ("Call self as a function."), which tells the user nothing.
    doc = getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if doc else ""


def _jsonable(value: Any) -> Any:
    """The value itself when JSON can carry it, else its repr for display."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        pass
    else:
        return value
    if not isinstance(value, (enum.Enum, pydantic.BaseModel)) and not dataclasses.is_dataclass(value):
        return repr(value)
    try:
        # An Enum member as its value, a dataclass or a model as its fields.
        shown = pydantic_core.to_jsonable_python(value)
        json.dumps(shown, allow_nan=False)
    except (TypeError, ValueError, pydantic_core.PydanticSerializationError):
        return repr(value)
    return shown


def _union_name(args: tuple[Any, ...]) -> str:
    rest = [a for a in args if a is not type(None)]
    inner = type_name(rest[0]) if len(rest) == 1 else f"Union[{', '.join(type_name(a) for a in rest)}]"
    return f"Optional[{inner}]" if len(rest) < len(args) else inner


def _arg_name(arg: Any) -> str:
    if arg is Ellipsis:
        return "..."
    if isinstance(arg, list):  # Callable[[int, str], bool]
        return f"[{', '.join(type_name(a) for a in arg)}]"
    return type_name(arg)


def _plain_name(obj: Any) -> str:
    return getattr(obj, "__name__", None) or repr(obj)
