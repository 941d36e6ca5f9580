"""The headless CLI's pure parts: workflow files, --set, SSE parsing, the exporter and its script."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Literal, Optional

import httpx
import numpy as np
import pytest
from PIL import Image

from psynapse.export import helpers as scripthelpers
from psynapse.export import script as export
from psynapse.headless.display import RunState
from psynapse.headless.run import sse_events
from psynapse.headless.workflow_file import (
    WorkflowFileError,
    apply_sets,
    load_workflow,
    parse_assignment,
    to_request,
)
from psynapse_common import codec
from psynapse_common.conversion import ConversionError, convert
from psynapse_common.graph import GraphError
from psynapse_common.nodepacks import load_catalog
from tests.support.graphs import edge, editor_file, fn, graph, lst, spec_example, var, view

REPO_NODEPACKS = Path(__file__).resolve().parents[2] / "nodepacks"


# -- workflow files and --set ------------------------------------------------------
def test_editor_export_becomes_the_api_body_the_editor_sends():
    raw = editor_file()
    raw["nodes"][4]["data"]["b"] = ""  # an input left empty in the editor: its default applies
    request = to_request(raw)
    assert set(request) == {"nodes", "edges"}
    assert request["nodes"][0] == {
        "id": "V1",
        "type": "variableNode",
        "data": {
            "variableType": "Number",
            "variableValue": "5",
            "llmMessageFormat": False,
            "llmMessageRole": "user",
            "textContentFormat": False,
            "imageContentFormat": False,
            "variableName": "x",
        },
    }
    assert "variableName" not in request["nodes"][1]["data"]
    assert request["nodes"][4]["data"] == {"functionName": "add", "a": 0}
    assert request["edges"][0] == {"source": "V1", "target": "F1", "sourceHandle": "output", "targetHandle": "a"}
    assert raw["nodes"][4]["data"]["b"] == ""  # the input is not changed


def test_api_body_passes_through():
    body = spec_example() | {"env_vars": {"K": "v"}}
    assert to_request(body) == body


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"nodes": []}',
        '{"nodes": [{"type": "x"}], "edges": []}',
        '{"nodes": [], "edges": [{"source": "a"}]}',
    ],
)
def test_bad_files_are_named(tmp_path, content):
    path = tmp_path / "w.json"
    path.write_text(content)
    with pytest.raises(WorkflowFileError, match=str(path)):
        load_workflow(path)


def test_set_parses_json_and_keeps_text_for_string_variables():
    request = to_request(
        graph(
            [
                var("n", "1", variableName="n"),
                var("s", "a", "String", variableName="s"),
                var("o", "{}", "Object", variableName="o"),
            ],
            [],
        )
    )
    apply_sets(request, [parse_assignment("n=7"), parse_assignment("s=true"), parse_assignment('o={"k": [1]}')])
    values = {node["id"]: node["data"]["variableValue"] for node in request["nodes"]}
    assert values == {"n": 7, "s": "true", "o": {"k": [1]}}
    apply_sets(request, [parse_assignment('s="quoted"')])
    assert request["nodes"][1]["data"]["variableValue"] == "quoted"


def test_set_errors_name_the_problem():
    request = to_request(graph([var("n", "1", variableName="count")], []))
    with pytest.raises(WorkflowFileError, match="no variable node is named 'other'.*count"):
        apply_sets(request, [("other", "1")])
    with pytest.raises(WorkflowFileError, match="'abc' is not a number"):
        apply_sets(request, [("count", "abc")])
    with pytest.raises(WorkflowFileError, match="name=value"):
        parse_assignment("novalue")


# -- events ------------------------------------------------------------------------
def test_sse_parser_and_state():
    lines = [
        "id: 1",
        'data: {"node_id": "a", "node_number": 1, "node_name": "add", "status": "executing"}',
        "",
        ": ping",
        "",
        "id: 2",
        'data: {"node_id": "a", "node_number": 1, "node_name": "add",',
        'data: "status": "error", "error": "boom"}',
        "",
        "data: not json",
        "",
        'data: {"status": "done", "results": {"v": null}}',
    ]
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, text="\n".join(lines) + "\n\n")
    events = list(sse_events(response))
    # An event without an id carries the last one, as EventSource's lastEventId does.
    assert [event_id for event_id, _ in events] == ["1", "2", "2"]
    state = RunState()
    for _, event in events:
        state.feed(event)
    assert [n.error for n in state.failed()] == ["boom"]
    assert state.final == {"status": "done", "results": {"v": None}}


# -- the exporter --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("hint", "source"),
    [
        (int, "int"),
        (float, "float"),
        (bool, "bool"),
        (str, "str"),
        (list[int], "list"),
        (dict, "dict"),
        (Optional[int], "Optional[int]"),
        (Literal["a", 1], "Literal['a', 1]"),
        (Any, None),
        (int | str, None),
        (Optional[Any], None),
        (np.ndarray, None),
    ],
)
def test_hint_source(hint, source):
    assert export.hint_source(hint) == source


@pytest.fixture(scope="module")
def script_namespace() -> dict:
    """A written script, executed up to (not including) its main()."""
    catalog = load_catalog(REPO_NODEPACKS)
    script = export.export_script(spec_example(), catalog, REPO_NODEPACKS)
    namespace: dict = {"__name__": "exported"}
    path, modules = list(sys.path), set(sys.modules)
    try:
        exec(compile(script, "script.py", "exec"), namespace)
    finally:  # the script puts the pack folder on sys.path; other tests must not see it
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            del sys.modules[name]
    return namespace


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("3", int),
        ("3.0", int),
        (4.0, int),
        (True, int),
        ("2.5", float),
        (2, float),
        (12, str),
        ("false", bool),
        (" YES ", bool),
        (1, bool),
        ("[1, 2]", list),
        ('{"a": 1}', dict),
        (None, Optional[int]),
        ("5", Optional[int]),
        ("2", Literal[1, 2]),
        ("seven", int),
        ("3.5", int),
        ("maybe", bool),
        ("[1", list),
        ("c", Literal["a", "b"]),
    ],
)
def test_script_converts_as_the_services_do(script_namespace, value, hint):
    namespace = script_namespace
    source = export.hint_source(hint)
    hint_in_script = eval(source, namespace)  # a hint we wrote
    try:
        expected: Any = convert(value, hint)
    except ConversionError as exc:
        expected = ("error", str(exc))
    try:
        got: Any = namespace["convert"](value, hint_in_script)
    except namespace["ConversionError"] as exc:
        got = ("error", str(exc))
    assert got == expected and type(got) is type(expected)


@dataclasses.dataclass
class _Point:
    x: int


@pytest.mark.parametrize(
    "value",
    [
        1,
        2.5,
        "s",
        None,
        True,
        (1, 2),
        {3, 1},
        {"k": [1, (2,)]},
        {1: "a"},
        b"xyz",
        np.arange(4.0),
        np.int64(3),
        _Point(1),
        Image.new("RGB", (2, 2), (255, 0, 0)),
        datetime.date(2024, 1, 2),
        float("nan"),
    ],
)
def test_script_shows_values_as_the_services_do(value):
    shown = json.loads(json.dumps(codec.show(codec.encode(value)), allow_nan=True))
    if isinstance(value, float) and math.isnan(value):
        shown = None  # NaN travels as JSON null
    assert scripthelpers.to_json(value) == shown


def test_export_refuses_graphs_that_cannot_run():
    catalog = load_catalog(REPO_NODEPACKS)
    cycle = graph([fn("A", "add", b=1), fn("B", "add", b=1)], [edge("A", "B", "a"), edge("B", "A", "a")])
    with pytest.raises(GraphError, match="cycle"):
        export.export_script(cycle, catalog, REPO_NODEPACKS)
    with pytest.raises(GraphError, match="unknown function 'nope'"):
        export.export_script(graph([fn("A", "nope")], []), catalog, REPO_NODEPACKS)
    with pytest.raises(export.ExportError, match="input 'b' is not connected and has no value"):
        export.export_script(graph([fn("A", "add", a=1)], []), catalog, REPO_NODEPACKS)
    with pytest.raises(export.ExportError, match="input 'a'.*not a number"):
        export.export_script(graph([fn("A", "add", a="x", b=1)], []), catalog, REPO_NODEPACKS)


def test_exported_script_runs_standalone(tmp_path):
    packs = tmp_path / "packs"
    (packs / "mine").mkdir(parents=True)
    (packs / "mine" / "helpers.py").write_text("def twice(x):\n    return 2 * x\n")
    (packs / "mine" / "ops.py").write_text(
        textwrap.dedent("""
        from .helpers import twice

        def double(x: int) -> int:
            return twice(x)

        def main(x: int) -> int:
            '''A node named like the script's own main().'''
            return x + 1
    """)
    )
    body = graph(
        [
            var("x", "21", variableName="x"),
            fn("double", "double"),
            fn("m", "main"),
            lst("L"),
            view("out"),
            view("empty"),
        ],
        [
            edge("x", "double", "x"),
            edge("double", "m", "x"),
            edge("double", "L", "input-1"),
            edge("m", "L", "input-0"),
            edge("L", "out"),
        ],
    )
    script = export.export_script(body, load_catalog(packs), packs)
    assert "X = 21" in script and "double_2 = double(x=convert(X, int))" in script
    target = tmp_path / "elsewhere" / "flow.py"
    target.parent.mkdir()
    target.write_text(script)
    done = subprocess.run(
        [sys.executable, str(target)], check=False, capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"out": [43, 42], "empty": None}


def test_the_sdk_a_script_carries_offers_what_psynapse_offers():
    import typing

    import psynapse

    sdk: dict = {}
    exec(compile(export.sdk_source(), "<sdk>", "exec"), sdk)
    assert sorted(sdk["__all__"]) == sorted(psynapse.__all__)
    hint = sdk["AnnotatedDict"][typing.Literal["first", "last"]]
    assert typing.get_args(hint)[0] == typing.Literal["first", "last"]

    @sdk["pool"]("gpu")
    @sdk["no_cache"]
    def node() -> int:
        return 1

    @psynapse.pool("gpu")
    @psynapse.no_cache
    def same() -> int:
        return 1

    assert {k: v for k, v in vars(node).items()} == {k: v for k, v in vars(same).items()}


def test_skipped_nodes_and_map_progress_are_shown():
    import io

    from psynapse.headless.display import PlainDisplay

    state = RunState()
    err = io.StringIO()
    display = PlainDisplay(err)
    for event in [
        {"node_id": "no", "node_number": 1, "node_name": "add", "status": "skipped"},
        {"node_id": "m", "node_number": 2, "node_name": "Map", "status": "executing"},
        {
            "node_id": "m",
            "node_number": 2,
            "node_name": "Map",
            "status": "progress",
            "progress": 1.0,
            "progress_message": "4/4 items",
        },
    ]:
        display.update(event, state.feed(event))
    assert state.failed() == [] and state.nodes["no"].status == "skipped"
    assert err.getvalue().splitlines() == [
        "[1] add (no) skipped (a branch not taken)",
        "[2] Map (m) running",
        "[2] Map (m) 100% 4/4 items",
    ]


def test_retries_and_timeouts_are_shown():
    import io

    from psynapse.headless.display import PlainDisplay

    state = RunState()
    err = io.StringIO()
    display = PlainDisplay(err)
    head = {"node_id": "f", "node_number": 1, "node_name": "flaky"}
    for event in [
        {**head, "status": "executing"},
        {**head, "status": "retrying", "attempt": 2, "max_attempts": 3, "error": "call 1 failed", "delay_s": 0.5},
        {**head, "status": "retrying", "attempt": 3, "max_attempts": 3, "error": "call 2 failed", "delay_s": 1.0},
        {**head, "status": "error", "error": "timed out after 1 s", "error_kind": "timeout", "attempts": 3},
    ]:
        display.update(event, state.feed(event))
    assert [node.node_id for node in state.failed()] == ["f"]
    assert err.getvalue().splitlines() == [
        "[1] flaky (f) running",
        "[1] flaky (f) retrying: call 1 failed; attempt 2 of 3 in 0.5 s",
        "[1] flaky (f) retrying: call 2 failed; attempt 3 of 3 in 1 s",
        "[1] flaky (f) error after 3 attempts: timed out after 1 s",
    ]


def test_the_live_table_shows_a_retrying_node():
    import io

    from rich.console import Console

    from psynapse.headless.display import RichDisplay

    state = RunState()
    head = {"node_id": "f", "node_number": 1, "node_name": "flaky"}
    state.feed({**head, "status": "executing"})
    state.feed({**head, "status": "retrying", "attempt": 2, "max_attempts": 3, "error": "boom", "delay_s": 0.5})
    display = RichDisplay(state, io.StringIO())
    out = io.StringIO()
    Console(file=out, width=120).print(display.render())
    assert "↻" in out.getvalue() and "retrying: boom; attempt 2 of 3 in 0.5 s" in out.getvalue()


def test_exported_script_retries_and_times_out_as_the_services_do(tmp_path):
    import time

    packs = REPO_NODEPACKS.parent / "tests" / "packs"
    counter = tmp_path / "calls"
    body = graph(
        [
            fn("f", "flaky", counter=str(counter), value=7, retry={"times": 4, "backoff_s": 0.05}),
            view("v"),
            fn("s", "sleep_forever", timeout_s=0.3),
        ],
        [edge("f", "v")],
    )
    script = export.export_script(body, load_catalog(packs), packs)
    assert "run_node('f', lambda: flaky(" in script and "times=4, backoff_s=0.05" in script
    assert "on=('ConnectionError',), timeout_s=None)" in script
    assert "run_node('s', lambda: sleep_forever(), times=1" in script and "timeout_s=0.3)" in script
    target = tmp_path / "flow.py"
    target.write_text(script)
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(target)], check=False, capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 10
    assert done.returncode == 1
    assert done.stderr.splitlines()[:2] == [
        "[f] retrying: call 1 failed; attempt 2 of 4 in 0.05 s",
        "[f] retrying: call 2 failed; attempt 3 of 4 in 0.1 s",
    ]
    assert done.stderr.rstrip().endswith("TimeoutError: timed out after 0.3 s")
    assert len(counter.read_text().splitlines()) == 3
