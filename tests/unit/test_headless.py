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
from tests.support.packaging import lay_out_halver

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
    assert source is not None, hint
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


def test_an_installed_pack_is_exported_as_an_import_and_a_requirement(tmp_path, monkeypatch):
    site = tmp_path / "site"
    lay_out_halver(site)
    monkeypatch.syspath_prepend(str(site))
    (tmp_path / "packs").mkdir()
    catalog = load_catalog(tmp_path / "packs")
    script = export.export_script(
        graph([var("x", "9"), fn("h", "halve"), view("out")], [edge("x", "h", "x"), edge("h", "out")]),
        catalog,
        tmp_path / "packs",
    )
    assert "importlib.import_module('halver_nodes.ops')" in script
    assert "halver_nodes: pip install psynapse-halver" in script
    (tmp_path / "flow.py").write_text(script)
    run = [sys.executable, str(tmp_path / "flow.py")]
    done = subprocess.run(run, capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(site)}, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"out": 4.5}
    missing = subprocess.run(run, capture_output=True, text=True, timeout=60, env={}, check=False)
    assert missing.returncode != 0 and "halver_nodes: pip install psynapse-halver" in missing.stderr


def test_async_nodes_are_awaited_in_an_exported_script(tmp_path):
    pack = tmp_path / "packs" / "asyncs"
    pack.mkdir(parents=True)
    (pack / "ops.py").write_text(
        textwrap.dedent(
            """
            import asyncio


            async def double(x: int) -> int:
                await asyncio.sleep(0)
                return 2 * x


            async def spell(word: str):
                for letter in word:
                    await asyncio.sleep(0)
                    yield letter
            """
        )
    )
    body = graph(
        [var("x", "21"), fn("d", "double"), fn("s", "spell", word="abc"), view("out"), view("text")],
        [edge("x", "d", "x"), edge("d", "out"), edge("s", "text")],
    )
    script = export.export_script(body, load_catalog(tmp_path / "packs", installed=False), tmp_path / "packs")
    assert "awaited(double(x=convert(X, int)), 'd')" in script
    (tmp_path / "flow.py").write_text(script)
    done = subprocess.run([sys.executable, str(tmp_path / "flow.py")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"out": 42, "text": "abc"}
    assert "[s] abc" in done.stderr


def test_async_nodes_retry_and_time_out_in_an_exported_script(tmp_path):
    import time

    pack = tmp_path / "packs" / "asyncs"
    pack.mkdir(parents=True)
    (pack / "ops.py").write_text(
        textwrap.dedent(
            """
            import asyncio
            from pathlib import Path

            from psynapse import retry, timeout


            @retry(times=3, backoff_s=0.05, on=ConnectionError)
            async def shaky(counter: str) -> int:
                path = Path(counter)
                calls = len(path.read_text().splitlines()) + 1 if path.exists() else 1
                path.write_text("call\\n" * calls)
                await asyncio.sleep(0)
                if calls < 3:
                    raise ConnectionError(f"call {calls} failed")
                return calls


            @timeout(0.3)
            async def nap() -> str:
                await asyncio.sleep(30)
                return "slept"
            """
        )
    )
    counter = tmp_path / "calls"
    body = graph([fn("r", "shaky", counter=str(counter)), view("out")], [edge("r", "out")])
    catalog = load_catalog(tmp_path / "packs", installed=False)
    script = export.export_script(body, catalog, tmp_path / "packs")
    assert "run_node('r', lambda: awaited(shaky(counter=" in script and "times=3, backoff_s=0.05" in script
    (tmp_path / "flow.py").write_text(script)
    done = subprocess.run([sys.executable, str(tmp_path / "flow.py")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"out": 3}
    assert done.stderr.splitlines() == [
        "[r] retrying: call 1 failed; attempt 2 of 3 in 0.05 s",
        "[r] retrying: call 2 failed; attempt 3 of 3 in 0.1 s",
    ]
    # A node's own settings: its timeout over the function's, and no retry of a timeout.
    body = graph([fn("n", "nap", timeout_s=0.2), view("out")], [edge("n", "out")])
    script = export.export_script(body, catalog, tmp_path / "packs")
    assert "run_node('n', lambda: awaited(nap(), 'n'), times=1" in script and "timeout_s=0.2)" in script
    (tmp_path / "nap.py").write_text(script)
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(tmp_path / "nap.py")], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 10
    assert done.returncode == 1 and done.stderr.rstrip().endswith("TimeoutError: timed out after 0.2 s")


def test_run_node_times_calls_on_the_main_thread_and_retries_on_any():
    import threading
    import time

    with pytest.raises(TimeoutError, match=r"^timed out after 0.1 s$"):
        scripthelpers.run_node("s", lambda: time.sleep(5), timeout_s=0.1)
    # A Map's items run on a thread pool: there SIGALRM cannot stop a call, retries still apply.
    calls: list[int] = []

    def shaky() -> int:
        calls.append(1)
        if len(calls) < 2:
            raise ConnectionError("once")
        return len(calls)

    results: list[int] = []

    def item() -> None:
        results.append(scripthelpers.run_node("m", shaky, times=2, on=("ConnectionError",), timeout_s=5))

    worker = threading.Thread(target=item)
    worker.start()
    worker.join(10)
    assert results == [2]


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


# -- the exporter: control flow ------------------------------------------------------
def test_map_helper_keeps_item_order_and_stops_at_a_failure(capsys):
    import threading
    import time

    at_once, most = [0], [0]
    lock = threading.Lock()

    def slow_square(inputs: dict) -> dict:
        with lock:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        time.sleep(0.01 * (5 - inputs["x"]))  # later items end first
        with lock:
            at_once[0] -= 1
        if inputs["x"] == 3:
            raise ZeroDivisionError("division by zero")
        return {"result": inputs["x"] ** 2 + inputs["plus"]}

    assert scripthelpers.map_workflow(slow_square, [0, 1, 2], "x", {"plus": 1}, 2, False, "m") == [1, 2, 5]
    assert most[0] == 2
    with pytest.raises(scripthelpers.NodeFailed, match=r"^Map \(m\) failed: item 3 failed: division by zero$"):
        scripthelpers.map_workflow(slow_square, [0, 1, 2, 3, 4, 0], "x", {"plus": 0}, 1, False, "m")
    err = capsys.readouterr().err
    assert "[m] 4/6 items, 1 failed" in err and "5/6" not in err  # nothing started after item 3
    assert scripthelpers.map_workflow(slow_square, [3, 2], "x", {"plus": 0}, 4, True, "m") == [None, 4]
    assert "[m] item 0 failed: division by zero" in capsys.readouterr().err
    assert scripthelpers.map_workflow(slow_square, scripthelpers.Skip, "x", {}, 4, False, "m") is scripthelpers.Skip
    with pytest.raises(scripthelpers.NodeFailed, match="Map: items must be a list, got int '7'"):
        scripthelpers.map_workflow(slow_square, 7, "x", {}, 4, False, "m")


def test_loop_helper_feeds_outputs_back_up_to_its_cap():
    def double(inputs: dict) -> dict:
        n = inputs["n"] * 2
        return {"n": n, "more": n < inputs["limit"], "seen": inputs["n"]}

    assert scripthelpers.loop_workflow(double, {"n": 3, "limit": 100}, ("n",), "more", 100, "l") == {
        "n": 192,
        "more": False,
        "seen": 96,
    }
    with pytest.raises(scripthelpers.NodeFailed) as failed:
        scripthelpers.loop_workflow(double, {"n": 1, "limit": 100}, ("n",), "more", 3, "l")
    assert failed.value.error == "Loop reached its cap of 3 iterations with 'more' still true"
    assert str(failed.value) == "Loop (l) failed: Loop reached its cap of 3 iterations with 'more' still true"


def _named(node_id: str, name: str, value: str = "0") -> dict:
    return var(node_id, value, variableName=name)


def _output(node_id: str, name: str) -> dict:
    return {"id": node_id, "type": "viewNode", "data": {"viewName": name}}


def _workflows(tmp_path: Path, **bodies: dict) -> Path:
    folder = tmp_path / "workflows"
    folder.mkdir(exist_ok=True)
    for name, body in bodies.items():
        (folder / f"{name}.json").write_text(json.dumps(body))
    return folder


def test_exported_control_flow_runs_without_psynapse_installed(tmp_path):
    from psynapse.export.workflows import Folder

    add_one = graph(
        [_named("x", "x"), fn("f", "add", b=1), _output("out", "result")], [edge("x", "f", "a"), edge("f", "out")]
    )
    folder = _workflows(tmp_path, add_one=add_one)
    body = graph(
        [
            var("c", False, "Boolean"),
            var("x", "5"),
            {"id": "if", "type": "ifNode", "data": {}},
            {"id": "s", "type": "subgraphNode", "data": {"workflow": "add_one"}},
            {"id": "m", "type": "mapNode", "data": {"workflow": "add_one", "itemInput": "x", "concurrency": 2}},
            var("xs", "[1, 2, 3]", "List"),
            view("vs"),
            view("vm"),
            view("vt"),
        ],
        [
            edge("c", "if", "condition"),
            edge("x", "if", "value"),
            edge("if", "s", "x", "false"),
            edge("s", "vs", "input", "result"),
            edge("xs", "m", "items"),
            edge("m", "vm"),
            edge("if", "vt", "input", "true"),
        ],
    )
    script = tmp_path / "flow.py"
    script.write_text(
        export.export_script(body, load_catalog(REPO_NODEPACKS), REPO_NODEPACKS, workflows=Folder(folder))
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(script)], check=False, capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"vs": 6, "vm": [2, 3, 4], "vt": None}


def test_a_static_graph_exports_without_skip_checks():
    script = export.export_script(spec_example(), load_catalog(REPO_NODEPACKS), REPO_NODEPACKS)
    main = script[script.index("def main() -> None:") :]
    assert "Skip" not in main and "def map_workflow" not in script and "def truth" not in script
    assert "f3 = multiply(a=convert(f1, float), b=convert(f2, float))" in main


def test_export_refuses_what_the_engine_refuses_about_workflows(tmp_path):
    from psynapse.export.workflows import Folder

    catalog = load_catalog(REPO_NODEPACKS)
    folder = _workflows(
        tmp_path,
        ping=graph([{"id": "p", "type": "subgraphNode", "data": {"workflow": "pong"}}], []),
        pong=graph([{"id": "q", "type": "loopNode", "data": {"workflow": "ping", "whileOutput": "x"}}], []),
        # Two ways through: the engine runs one's output into the other's input, one function cannot.
        two=graph(
            [_named("a", "a"), _named("b", "b"), _output("oa", "a"), _output("ob", "b")],
            [edge("a", "oa"), edge("b", "ob")],
        ),
    )

    def sub(node_id: str, workflow: str) -> dict:
        return {"id": node_id, "type": "subgraphNode", "data": {"workflow": workflow}}

    recursion = "Loop node 'q' runs workflow 'ping', which contains itself: ping → pong → ping"
    with pytest.raises(GraphError, match=recursion):
        export.export_script(graph([sub("s", "ping")], []), catalog, REPO_NODEPACKS, workflows=Folder(folder))
    with pytest.raises(GraphError, match=r"^Subgraph node 's': no workflow nope \(no nope.json in "):
        export.export_script(graph([sub("s", "nope")], []), catalog, REPO_NODEPACKS, workflows=Folder(folder))
    with pytest.raises(GraphError, match=r"^Subgraph node 's': no workflow nope"):
        export.export_script(graph([sub("s", "nope")], []), catalog, REPO_NODEPACKS)
    through = graph(
        [var("one", "1"), sub("t", "two"), fn("inc", "add", b=1), view("v")],
        [edge("one", "t", "a"), edge("t", "inc", "a", "a"), edge("inc", "t", "b"), edge("t", "v", "input", "b")],
    )
    with pytest.raises(export.ExportError, match="feed a subgraph node from its own outputs"):
        export.export_script(through, catalog, REPO_NODEPACKS, workflows=Folder(folder))


def test_psynapse_run_sends_its_targets_and_its_timeout_together(tmp_path):
    from psynapse.cli import build_parser
    from psynapse.headless.run import _target

    flow = tmp_path / "flow.json"
    flow.write_text(json.dumps(graph([var("x", "1"), view("v")], [edge("x", "v")])))
    parser = build_parser()
    args = parser.parse_args(["run", str(flow), "--to", "v", "--timeout", "2.5"])
    request = _target(args)["request"]
    assert (request["targets"], request["timeout_s"]) == (["v"], 2.5)
    args = parser.parse_args(["run", "named", "--set", "x=3", "--to", "v", "--timeout", "2.5"])
    assert _target(args) == {
        "kind": "saved",
        "name": "named",
        "body": {"inputs": {"x": 3}, "targets": ["v"], "timeout_s": 2.5},
    }
    # Neither: the bodies have neither key (a whole run, no limit).
    assert "targets" not in _target(parser.parse_args(["run", str(flow)]))["request"]
    assert _target(parser.parse_args(["run", "named"]))["body"] == {"inputs": {}}


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
