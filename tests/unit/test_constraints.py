"""Input constraints written as Annotated metadata: read from the signature, checked when a
graph is planned (the values it gives) and before a node is called (every value)."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import msgspec
import pytest
from annotated_types import Ge, Gt, Interval, Le, Len, Lt, MaxLen, MinLen, MultipleOf, Predicate

from psynapse_common import codec
from psynapse_common.constraints import broken_rule, rules_of
from psynapse_common.execute import Call, SegmentRun
from psynapse_common.graph import GraphError
from psynapse_common.messages import GraphEdge, GraphNode, Job, Step
from psynapse_common.nodepacks import load_catalog
from psynapse_common.subgraphs import plan_graph
from psynapse_schema.catalog import snapshot_of

OPS = """
    from typing import Annotated, Optional

    from annotated_types import Ge, Interval, Le, MaxLen


    def even(value: int) -> bool:
        return value % 2 == 0


    def set_volume(level: Annotated[int, Ge(0), Le(100)], label: Optional[Annotated[str, MaxLen(5)]] = None) -> int:
        "Set the volume."
        return level


    def pair(count: Annotated[int, even, "not a rule"], ratio: Annotated[float, Interval(gt=0, lt=1)] = 0.5) -> int:
        return count


    def add(a: float, b: float) -> float:
        return a + b
"""


def test_rules_from_annotated_types_and_callables():
    rules = rules_of([Gt(0), Le(10), MultipleOf(2), "a doc string", int, str.isdigit, Predicate(str.isascii)])
    assert rules.bounds == {"exclusiveMinimum": 0, "maximum": 10, "multipleOf": 2}
    assert rules.validators == (str.isdigit, str.isascii)  # a class (int) is not a validator
    assert rules.describe() == ["greater than 0", "at most 10", "a multiple of 2", "str.isdigit", "str.isascii"]
    assert rules_of([Interval(ge=1, lt=5), Len(2, 4)]).bounds == {
        "minimum": 1,
        "exclusiveMaximum": 5,
        "minLength": 2,
        "maxLength": 4,
    }
    assert not rules_of(["only", "docs"])


@pytest.mark.parametrize(
    ("value", "metadata", "broken"),
    [
        (5, [Ge(0), Le(10)], None),
        (-1, [Ge(0), Le(10)], "at least 0"),
        (11, [Ge(0), Le(10)], "at most 10"),
        (0, [Gt(0)], "greater than 0"),
        (10, [Lt(10)], "less than 10"),
        (0.3, [MultipleOf(0.1)], None),
        (7, [MultipleOf(2)], "a multiple of 2"),
        ("ab", [MinLen(3)], "at least 3 long"),
        ([1, 2, 3], [MaxLen(2)], "at most 2 long"),
        ("x", [Ge(0)], "at least 0"),  # cannot be compared: broken
        ("123", [str.isdigit], None),
        ("12a", [str.isdigit], "str.isdigit"),
    ],
)
def test_broken_rule(value: Any, metadata: list, broken: str | None):
    rules = rules_of(metadata)
    assert broken_rule(value, rules.bounds, rules.validators) == broken


def test_a_validator_that_raises_or_returns_nothing():
    def positive(value: int) -> None:
        if value <= 0:
            raise ValueError("must be positive")

    def silent(value: int) -> None:
        if value == 3:
            raise AssertionError

    assert broken_rule(1, {}, [positive]) is None
    assert broken_rule(-1, {}, [positive]) == "positive: must be positive"
    assert broken_rule(3, {}, [silent]) == "silent"


@pytest.fixture
def catalog(tmp_path: Path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "ops.py").write_text(textwrap.dedent(OPS).lstrip())
    return load_catalog(tmp_path, installed=False)


def test_bounds_are_in_the_schema_and_the_catalog_validators_only_in_the_code(catalog):
    volume, pair = catalog.nodes["set_volume"], catalog.nodes["pair"]
    assert volume.schema["params"] == [
        {
            "name": "level",
            "type": "int",
            "constraints": {"minimum": 0, "maximum": 100},
            "json_schema": {"type": "integer", "minimum": 0, "maximum": 100},
        },
        {
            "name": "label",
            "type": "Optional[str]",
            "default": None,
            "constraints": {"maxLength": 5},
            "json_schema": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "null"}]},
        },
    ]
    assert volume.param_types == {"level": int, "label": str | None}
    assert pair.schema["params"][0] == {"name": "count", "type": "int"}
    assert pair.rules["count"].validators[0].__name__ == "even"
    nodes = snapshot_of(catalog, 1).nodes
    assert nodes["set_volume"].constraints == {"level": {"minimum": 0, "maximum": 100}, "label": {"maxLength": 5}}
    assert nodes["pair"].constraints == {"ratio": {"exclusiveMinimum": 0, "exclusiveMaximum": 1}}
    assert nodes["add"].constraints == {}


def test_the_runner_checks_every_value_before_the_call(catalog):
    def outcome(name: str, **inputs: Any):
        step = Step(node_id="n", node_name=name, node_type="functionNode")
        run = SegmentRun(Job(run_id="r", steps=[step]), catalog.nodes.get)
        raw = {key: msgspec.Raw(codec.encode(value)) for key, value in inputs.items()}
        return run.invoke(Call(step, catalog.nodes[name], raw, {}), print, print)

    assert outcome("set_volume", level="42").result == 42
    broken = outcome("set_volume", level=150)
    assert (broken.error, broken.traceback) == ("input 'level' = 150 breaks its rule: at most 100", None)
    assert outcome("set_volume", level=1, label="too long").error == (
        "input 'label' = 'too long' breaks its rule: at most 5 long"
    )
    assert outcome("set_volume", level=1, label=None).result == 1
    assert outcome("pair", count=3).error == "input 'count' = 3 breaks its rule: even"
    assert outcome("pair", count=4, ratio=1).error == "input 'ratio' = 1.0 breaks its rule: less than 1"


def test_a_graph_giving_a_bounded_input_a_value_out_of_bounds_is_refused_when_planned(catalog):
    nodes = snapshot_of(catalog, 1).nodes

    def plan(graph_nodes: list[GraphNode], edges: Sequence[GraphEdge] = ()):
        async def load(_ref: Any) -> None:
            return None

        return asyncio.run(plan_graph(graph_nodes, list(edges), nodes, load))

    def volume(**data: Any) -> GraphNode:
        return GraphNode(id="v", type="functionNode", data={"functionName": "set_volume", **data})

    plan([volume(level=100)])
    plan([volume(level="7")])
    with pytest.raises(GraphError) as typed:
        plan([volume(level="150")])
    assert str(typed.value) == "Node 'v' (set_volume): input 'level' = 150 breaks its rule: at most 100"
    with pytest.raises(GraphError, match="input 'label' = 'toolong' breaks its rule: at most 5 long"):
        plan([volume(level=1, label="toolong")])
    variable = GraphNode(id="x", type="variableNode", data={"variableType": "Number", "variableValue": "-3"})
    wire = GraphEdge(source="x", target="v", source_handle="output", target_handle="level")
    with pytest.raises(GraphError, match=r"Node 'v' \(set_volume\): input 'level' = -3 breaks its rule: at least 0"):
        plan([variable, volume(level=50)], [wire])  # the wire wins over the value typed in
    # What another node gives is known only when it ran: the runner checks it.
    adder = GraphNode(id="a", type="functionNode", data={"functionName": "add", "a": 100, "b": 50})
    plan([adder, volume()], [GraphEdge(source="a", target="v", source_handle="output", target_handle="level")])
    # A value that does not convert fails at its node, in the conversion's words.
    plan([volume(level="loud")])
    # Validators are user code: never called when planning.
    plan([GraphNode(id="p", type="functionNode", data={"functionName": "pair", "count": 3})])


def test_annotated_bounds_in_a_signature_need_no_pack(catalog):
    def clamp(x: Annotated[float, Ge(0), Le(1)]) -> float:
        return x

    from psynapse_common.nodepacks.introspect import introspect

    info = introspect(clamp, "function", name="clamp", filepath="f.py", nodepack="p")
    assert info.schema["params"] == [
        {
            "name": "x",
            "type": "float",
            "constraints": {"minimum": 0, "maximum": 1},
            "json_schema": {"type": "number", "minimum": 0, "maximum": 1},
        }
    ]
