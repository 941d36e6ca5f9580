"""Branches in the segment walk: If, Switch, a function returning Skip, and what is
skipped downstream of an untaken output (driven in this thread, real nodepack code)."""

from __future__ import annotations

import pytest

from psynapse_common.conversion import ConversionError, case_text, truth
from psynapse_common.graph import GraphError, build_plan
from psynapse_common.messages import GraphEdge, GraphNode
from psynapse_common.nodepacks import load_catalog
from psynapse_schema.catalog import snapshot_of
from tests.support.segment_graphs import e, fn, node, run, statuses, var
from tests.support.stack import copy_packs


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return load_catalog(copy_packs(tmp_path_factory.mktemp("packs"), "basic", "testpack"))


def if_graph(condition, kind: str = "Boolean") -> tuple[list[GraphNode], list[GraphEdge]]:
    nodes = [
        var("c", condition, kind),
        var("x", 5),
        node("if", "ifNode"),
        fn("yes", "add", b=1),
        fn("no", "add", b=100),
        node("vy", "viewNode"),
        node("vn", "viewNode"),
    ]
    edges = [
        e("c", "if", "condition"),
        e("x", "if", "value"),
        e("if", "yes", "a", "true"),
        e("if", "no", "a", "false"),
        e("yes", "vy"),
        e("no", "vn"),
    ]
    return nodes, edges


@pytest.mark.parametrize("heavy", [(), ("yes", "no")], ids=["one segment", "branches on their own"])
def test_if_runs_the_taken_branch_and_skips_the_other(catalog, heavy):
    ends, results = run(catalog, *if_graph(True), heavy=heavy)
    assert statuses(ends) == {
        "c": "completed",
        "x": "completed",
        "if": "completed",
        "yes": "completed",
        "vy": "completed",
        "no": "skipped",
        "vn": "skipped",
    }
    assert results == {"vy": 6.0, "vn": None}
    ends, results = run(catalog, *if_graph(False), heavy=heavy)
    assert statuses(ends)["yes"] == "skipped" and statuses(ends)["no"] == "completed"
    assert results == {"vy": None, "vn": 105.0}


def test_truthiness_is_pythons():
    assert [truth(value) for value in ("", 0, 0.0, [], {}, None, "no", 1, [0], {"a": 1})] == [
        False,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
    ]

    class Ambiguous:
        def __bool__(self) -> bool:
            raise ValueError("truth value is ambiguous")

    with pytest.raises(ConversionError, match="Ambiguous has no single truth value"):
        truth(Ambiguous())


def test_an_undecidable_condition_fails_the_if_and_its_dependants_never_run(catalog):
    nodes, edges = if_graph("[1, 2]", "Array")
    nodes[0] = GraphNode(id="c", type="functionNode", data={"functionName": "make_array", "n": 2})
    ends, _ = run(catalog, nodes, edges)
    assert ends["if"].status == "error" and "no single truth value" in (ends["if"].error or "")
    assert "yes" not in ends and "no" not in ends  # the orchestrator fails them, naming the If


def test_switch_takes_the_case_of_the_values_text_or_default(catalog):
    def graph(value, kind):
        nodes = [
            var("v", value, kind),
            node("sw", "switchNode", cases=["red", "7", "true"]),
            node("red", "viewNode"),
            node("seven", "viewNode"),
            node("yes", "viewNode"),
            node("other", "viewNode"),
        ]
        edges = [
            e("v", "sw", "value"),
            e("sw", "red", "input", "red"),
            e("sw", "seven", "input", "7"),
            e("sw", "yes", "input", "true"),
            e("sw", "other", "input", "default"),
        ]
        return nodes, edges

    assert run(catalog, *graph("red", "String"))[1] == {"red": "red", "seven": None, "yes": None, "other": None}
    assert run(catalog, *graph(7.0, "Number"))[1] == {"red": None, "seven": 7, "yes": None, "other": None}
    assert run(catalog, *graph(True, "Boolean"))[1] == {"red": None, "seven": None, "yes": True, "other": None}
    assert run(catalog, *graph("blue", "String"))[1] == {"red": None, "seven": None, "yes": None, "other": "blue"}
    assert [case_text(v) for v in (None, False, 54.0, 54.5, "x", [1])] == ["null", "false", "54", "54.5", "x", "[1]"]


@pytest.mark.parametrize("text, taken", [("42", "number"), ("forty", "invalid")])
def test_a_function_branches_by_returning_skip(catalog, text, taken):
    nodes = [
        var("t", text, "String"),
        fn("p", "parse_int"),
        fn("double", "multiply", b=2),
        fn("shout", "upper"),
        node("vd", "viewNode"),
        node("vs", "viewNode"),
    ]
    edges = [
        e("t", "p", "text"),
        e("p", "double", "a", "number"),
        e("p", "shout", "text", "invalid"),
        e("double", "vd"),
        e("shout", "vs"),
    ]
    ends, results = run(catalog, nodes, edges, heavy=["double", "shout"])
    assert ends["p"].status == "completed"
    skipped = "shout" if taken == "number" else "double"
    assert ends[skipped].status == "skipped"
    assert results == ({"vd": 84.0, "vs": None} if taken == "number" else {"vd": None, "vs": "FORTY"})


def test_a_merge_runs_with_what_came_and_a_list_keeps_the_taken_items(catalog):
    nodes, edges = if_graph(False)
    nodes += [fn("merge", "first_of"), node("l", "listNode"), node("vm", "viewNode"), node("vl", "viewNode")]
    edges += [
        e("yes", "merge", "a"),
        e("no", "merge", "b"),
        e("yes", "l", "input-0"),
        e("no", "l", "input-1"),
        e("merge", "vm"),
        e("l", "vl"),
    ]
    ends, results = run(catalog, nodes, edges)
    assert ends["merge"].status == "completed" and ends["l"].status == "completed"
    assert results["vm"] == 105.0 and results["vl"] == [105.0]


def test_a_required_input_left_untaken_skips_a_node_even_when_others_came(catalog):
    nodes, edges = if_graph(True)
    nodes += [fn("both", "add"), node("vb", "viewNode")]
    edges += [e("yes", "both", "a"), e("no", "both", "b"), e("both", "vb")]
    ends, results = run(catalog, nodes, edges)
    assert ends["both"].status == "skipped" and results["vb"] is None


def test_skips_carry_through_chains_and_single_output_skips(catalog):
    nodes = [
        var("x", 3),
        fn("m", "maybe", keep=False),
        fn("a1", "add", b=1),
        fn("a2", "add", b=1),
        node("v", "viewNode"),
    ]
    edges = [e("x", "m", "x"), e("m", "a1", "a"), e("a1", "a2", "a"), e("a2", "v")]
    for heavy in ((), ("a1", "a2")):
        ends, results = run(catalog, nodes, edges, heavy=heavy)
        assert statuses(ends) == {"x": "completed", "m": "completed", "a1": "skipped", "a2": "skipped", "v": "skipped"}
        assert results == {"v": None}


@pytest.mark.parametrize(
    "nodes, edges, message",
    [
        ([node("if", "ifNode")], [], "If node 'if' needs its 'condition' input wired"),
        (
            [var("c", True, "Boolean"), node("if", "ifNode"), node("v", "viewNode")],
            [e("c", "if", "condition"), e("if", "v", "input", "maybe")],
            "uses output 'maybe'; it has outputs true, false",
        ),
        (
            [var("c", True, "Boolean"), node("if", "ifNode")],
            [e("c", "if", "cond")],
            "targets 'cond'; it takes condition, value",
        ),
        ([node("sw", "switchNode", cases=["a", "a"])], [], "lists a case twice"),
        ([node("sw", "switchNode", cases=["default"])], [], "'default' is its fallback output"),
        ([node("sw", "switchNode", cases="a,b")], [], "cases must be a list of strings"),
    ],
)
def test_branch_graph_errors_name_the_node(catalog, nodes, edges, message):
    with pytest.raises(GraphError, match=message):
        build_plan(nodes, edges, snapshot_of(catalog, 1).nodes)
