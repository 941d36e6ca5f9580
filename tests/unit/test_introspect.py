"""Schema introspection of single functions and classes (spec §1), no loader involved."""

import inspect
import textwrap
import typing
from typing import Any, Literal, Optional, Union

import pytest

from psynapse import AnnotatedDict
from psynapse_common.nodepacks import type_name
from psynapse_common.nodepacks.introspect import introspect, is_node_class, signature_problems
from tests.support.api_shapes import SCHEMA_KEYS


def schema_of(target, kind="function"):
    return introspect(target, kind, name=target.__name__, filepath="/packs/p/ops.py", nodepack="p")


class Point:
    pass


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (int, "int"),
        (float, "float"),
        (str, "str"),
        (bool, "bool"),
        (list, "list"),
        (dict, "dict"),
        (list[int], "list[int]"),
        (list[int], "list[int]"),
        (list, "list"),
        (dict[str, Any], "dict[str, Any]"),
        (dict[str, int], "dict[str, int]"),
        (tuple[int, ...], "tuple[int, ...]"),
        (Optional[int], "Optional[int]"),
        (int | None, "Optional[int]"),
        (Union[int, str], "Union[int, str]"),
        (Union[int, str, None], "Optional[Union[int, str]]"),
        (Optional[list[int]], "Optional[list[int]]"),
        (Any, "Any"),
        (inspect.Parameter.empty, "Any"),
        (typing.TypeVar("T"), "Any"),
        (Literal["a", "b"], "Literal"),
        (None, "None"),
        (Point, "Point"),
        (AnnotatedDict, "dict"),
        ("NotImportedYet", "NotImportedYet"),
    ],
)
def test_type_names(annotation, expected):
    assert type_name(annotation) == expected


def scale(x: float, factor: int = 2, mode: Literal["fast", "slow"] = "fast", label=None) -> float:
    """Scale a number.

    Longer text.
    """
    return x * factor


def test_schema_keys_are_in_spec_order():
    schema = schema_of(scale).schema
    assert list(schema) == SCHEMA_KEYS
    assert schema["name"] == "scale"
    assert schema["filepath"] == "/packs/p/ops.py"
    assert schema["nodepack"] == "p"
    assert schema["is_progress_node"] is False and schema["is_stream_node"] is False
    assert schema["docstring"] == "Scale a number.\n\nLonger text."


def enum_of(*values: str) -> dict[str, Any]:
    """A top-level Literal's json_schema, as pydantic writes it."""
    return {"json_schema": {"enum": list(values), "type": "string"}}


def test_params_have_defaults_only_where_given_and_literal_values():
    params = schema_of(scale).schema["params"]
    assert params == [
        {"name": "x", "type": "float"},
        {"name": "factor", "type": "int", "default": 2},
        {
            "name": "mode",
            "type": "Literal",
            "default": "fast",
            "literal_values": ["fast", "slow"],
            **enum_of("fast", "slow"),
        },
        {"name": "label", "type": "Any", "default": None},
    ]
    assert list(params[2]) == ["name", "type", "default", "literal_values", "json_schema"]


def test_literal_without_default():
    def pick(color: Literal["red", "green", 3]) -> str:
        return str(color)

    assert schema_of(pick).schema["params"] == [
        {
            "name": "color",
            "type": "Literal",
            "literal_values": ["red", "green", 3],
            "json_schema": {"enum": ["red", "green", 3]},
        }
    ]


def test_missing_hints_fall_back_to_any():
    def loose(a, b: int):
        return a

    info = schema_of(loose)
    assert info.schema["params"] == [{"name": "a", "type": "Any"}, {"name": "b", "type": "int"}]
    assert info.schema["returns"] == [{"name": "result", "type": "Any"}]
    assert info.schema["docstring"] == ""
    assert info.param_types == {"a": Any, "b": int}
    assert info.output_keys is None


def test_param_types_are_resolved_annotations():
    def typed(a: list[int], b: str | None = None, c: dict[str, Any] | None = None) -> dict[str, Any]:
        return {}

    info = schema_of(typed)
    assert info.param_types == {"a": list[int], "b": Optional[str], "c": dict[str, Any] | None}
    assert [p["type"] for p in info.schema["params"]] == ["list[int]", "Optional[str]", "Optional[dict[str, Any]]"]
    assert info.schema["returns"] == [{"name": "result", "type": "dict[str, Any]"}]


POINT = Point()


def test_default_that_json_cannot_carry_becomes_its_repr():
    def with_objects(p: Point = POINT, n: float = float("nan"), t: tuple = (1, 2), s: frozenset = frozenset()) -> None:
        return None

    params = {p["name"]: p for p in schema_of(with_objects).schema["params"]}
    assert params["p"]["default"].startswith("<") and "Point object at" in params["p"]["default"]
    assert params["n"]["default"] == "nan"
    assert params["t"]["default"] == (1, 2)
    assert params["s"]["default"] == "frozenset()"
    assert schema_of(with_objects).schema["returns"] == [{"name": "result", "type": "None"}]


def test_variadic_params_are_not_listed():
    def variadic(a: int, *args: int, b: str = "x", **kwargs: Any) -> int:
        return a

    assert [p["name"] for p in schema_of(variadic).schema["params"]] == ["a", "b"]


def test_annotated_dict_returns_one_output_per_key():
    def split(full: str) -> AnnotatedDict[Literal["first", "last"]]:
        return {"first": full, "last": ""}

    info = schema_of(split)
    assert info.schema["returns"] == [{"name": "first", "type": "Any"}, {"name": "last", "type": "Any"}]
    assert info.output_keys == ("first", "last")


def test_annotated_dict_with_value_type():
    def stats(values: list) -> AnnotatedDict[Literal["min", "max"], float]:
        return AnnotatedDict({"min": min(values), "max": max(values)})

    info = schema_of(stats)
    assert info.schema["returns"] == [{"name": "min", "type": "float"}, {"name": "max", "type": "float"}]
    assert info.output_keys == ("min", "max")
    result = stats([1.0, 3.0])
    assert isinstance(result, dict) and result == {"min": 1.0, "max": 3.0}


def test_annotated_dict_without_literal_keys_is_one_dict_output():
    def bag() -> AnnotatedDict[str, int]:
        return {}

    info = schema_of(bag)
    assert info.schema["returns"] == [{"name": "result", "type": "dict"}]
    assert info.output_keys is None


def test_annotated_dict_rejects_three_arguments():
    with pytest.raises(TypeError, match="AnnotatedDict takes"):
        AnnotatedDict[Literal["a"], int, str]  # type: ignore[type-arg]  # the run-time refusal is what this checks


def test_unresolvable_forward_reference_does_not_crash():
    namespace: dict = {}
    exec(
        textwrap.dedent(
            """
            from typing import Literal
            def uses_missing(a: "MissingType", b: int, c: "Literal['x', 'y']" = "x") -> "AlsoMissing":
                return a
            """
        ),
        namespace,
    )
    info = schema_of(namespace["uses_missing"])
    assert info.schema["params"] == [
        {"name": "a", "type": "MissingType"},
        {"name": "b", "type": "int"},
        {"name": "c", "type": "Literal", "default": "x", "literal_values": ["x", "y"], **enum_of("x", "y")},
    ]
    assert info.schema["returns"] == [{"name": "result", "type": "AlsoMissing"}]
    assert info.param_types["a"] is Any and info.param_types["b"] is int


class DocumentedClass:
    """From the class."""

    def __call__(self, n: int, *, label: str = "x") -> str:
        """From __call__."""
        return label * n


class CallDocOnly:
    def __call__(self, n: int) -> int:
        """Only __call__ has a docstring."""
        return n


class NoDocs:
    def __call__(self, text) -> str:
        return text


class NotANode:
    """Has no __call__."""

    def run(self, x: int) -> int:
        return x


class InheritsCall(CallDocOnly):
    pass


class DocumentedBase:
    """About the base, not the node."""


class OwnCallDoc(DocumentedBase):
    def __call__(self) -> None:
        """What this node does."""


class StaticCall:
    @staticmethod
    def __call__(n: int) -> int:
        return n


def test_class_params_skip_self_and_docstring_prefers_class():
    info = schema_of(DocumentedClass, "progress")
    assert info.schema["params"] == [{"name": "n", "type": "int"}, {"name": "label", "type": "str", "default": "x"}]
    assert info.schema["returns"] == [{"name": "result", "type": "str"}]
    assert info.schema["docstring"] == "From the class."
    assert info.schema["is_progress_node"] is True and info.schema["is_stream_node"] is False


def test_class_docstring_falls_back_to_call():
    assert schema_of(CallDocOnly, "stream").schema["docstring"] == "Only __call__ has a docstring."


def test_own_call_docstring_beats_one_inherited_from_a_base_class():
    assert schema_of(OwnCallDoc, "progress").schema["docstring"] == "What this node does."


def test_class_without_any_docstring_is_empty_not_objects():
    schema = schema_of(NoDocs, "stream").schema
    assert schema["docstring"] == ""
    assert schema["params"] == [{"name": "text", "type": "Any"}]
    assert schema["is_stream_node"] is True and schema["is_progress_node"] is False


def test_only_classes_with_a_call_method_are_nodes():
    assert is_node_class(DocumentedClass)
    assert is_node_class(InheritsCall)
    assert not is_node_class(NotANode)
    assert not is_node_class(Point)


def test_inherited_and_static_call():
    assert schema_of(InheritsCall, "progress").schema["params"] == [{"name": "n", "type": "int"}]
    assert schema_of(StaticCall, "progress").schema["params"] == [{"name": "n", "type": "int"}]


def test_signature_failure_is_raised_not_swallowed():
    class BrokenCall:
        __call__ = 42

    assert is_node_class(BrokenCall)
    with pytest.raises(TypeError):
        schema_of(BrokenCall, "progress")


def test_signature_problems_errors_first_then_warnings():
    def clean(a: int, mode: Literal["x", "y"] = "x", items: list[dict[str, Any]] | None = None) -> str:
        return ""

    # Hints naming what is defined nowhere: written as a pack author would, read from source.
    namespace: dict = {}
    exec(
        textwrap.dedent(
            """
            def messy(a, b: "Nowhere", c: list["Missing"], *args: int, d: float = float("inf"), **kwargs: int):
                return None

            class Node:
                def __call__(self, text: str, count) -> "Undefined":
                    return text
            """
        ),
        namespace,
    )
    messy, node = namespace["messy"], namespace["Node"]

    assert signature_problems(clean, "function") == []
    assert signature_problems(messy, "function") == [
        ("error", "parameter 'a' has no type hint"),
        (
            "error",
            "parameter 'b' has an unsupported type: 'Nowhere' names a type that is not defined where the node is",
        ),
        (
            "error",
            "parameter 'c' has an unsupported type: 'list[Missing]' names a type that is not defined where the node is",
        ),
        ("warning", "*args is not an input: the editor cannot wire it"),
        ("warning", "the default of 'd' is not JSON: the editor shows inf"),
        ("warning", "**kwargs is not an input: the editor cannot wire it"),
        ("warning", "no return type hint: its output is typed Any"),
    ]
    # A class's __call__, without self.
    assert signature_problems(node, "stream") == [
        ("error", "parameter 'count' has no type hint"),
        ("error", "the return type is unsupported: 'Undefined' names a type that is not defined where the node is"),
    ]
