"""`psynapse run` and `psynapse export` as a user runs them, against the real stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from tests.support.control_flow import (
    WORKFLOWS,
    items,
    loop_node,
    map_node,
    named_var,
    named_view,
    subgraph,
)
from tests.support.graphs import edge, editor_file, fn, graph, if_graph, lst, spec_example, var, view
from tests.support.stack import copy_packs

PSYNAPSE = str(Path(sys.executable).parent / "psynapse")
SPEC_RESULTS = {"View": 48.0, "ListView": [8.0, 6.0]}


def psynapse(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PSYNAPSE, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def write(tmp_path: Path, body: dict, name: str = "flow.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(body, indent=2))
    return str(path)


def failing_graph() -> dict:
    return graph(
        [var("a", "10"), var("z", "0"), fn("d", "divide"), view("w1"), fn("ok", "add", a=1, b=2), view("w2")],
        [edge("a", "d", "a"), edge("z", "d", "b"), edge("d", "w1"), edge("ok", "w2")],
    )


def nodes_kinds_graph() -> dict:
    """Progress, stream and multi-output nodes, typed inputs, and every variable format."""
    return graph(
        [
            var("T", "x:y", "String", variableName="text"),
            fn("split", "split_pair"),
            fn("join", "concat", separator="-"),
            fn("P1", "SlowProgress", steps=3, step_ms=20),
            var("W", "hello streaming world", "String"),
            fn("S1", "Words", delay_ms=5),
            fn("ty", "typed", i="3", f="2.5", s=5, b="yes", mode="b"),
            var("msg", "Hi there", "String", llmMessageFormat=True, llmMessageRole="system"),
            var("legacy", "plain", "String", textContentFormat=True),
            var("img", "data:image/png;base64,AAAA", "Image", imageContentFormat=True, llmMessageFormat=True),
            var("obj", '{"k": [1, 2]}', "Object"),
            var("items", "[1, 2.5]", "List"),
            var("flag", "yes", "Boolean"),
            var("num", "2.50", "Number"),
            fn("steps", "CountWithProgress", count=2, delay_ms=1),
            lst("L"),
            view("v_join"),
            view("v_progress"),
            view("v_stream"),
            view("v_typed"),
            view("v_list"),
            view("v_left"),
            view("v_steps"),
        ],
        [
            edge("T", "split", "text"),
            edge("split", "join", "a", "left"),
            edge("split", "join", "b", "right"),
            edge("join", "v_join"),
            edge("P1", "v_progress"),
            edge("W", "S1", "text"),
            edge("S1", "v_stream"),
            edge("ty", "v_typed"),
            edge("split", "v_left", "input", "left"),
            edge("steps", "v_steps"),
            *(
                edge(source, "L", f"input-{i}")
                for i, source in enumerate(["msg", "legacy", "img", "obj", "items", "flag", "num"])
            ),
            edge("L", "v_list"),
        ],
    )


# -- run against a gateway ------------------------------------------------------------
def test_run_file_prints_view_results(stack, tmp_path):
    done = psynapse("run", write(tmp_path, spec_example()), "--url", stack.url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == SPEC_RESULTS
    # Not a terminal: plain lines on stderr.
    assert "multiply (F3) completed" in done.stderr


def test_run_editor_export_and_set(stack, tmp_path):
    path = write(tmp_path, editor_file(), "exported.json")
    plain = psynapse("run", path, "--url", stack.url)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout) == SPEC_RESULTS
    changed = psynapse("run", path, "--url", stack.url, "--set", "x=7")
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout) == {"View": 60.0, "ListView": [10.0, 6.0]}


def test_failing_node_exits_1_with_its_error(stack, tmp_path):
    done = psynapse("run", write(tmp_path, failing_graph()), "--url", stack.url)
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"w1": None, "w2": 3.0}
    assert "divide (d) failed: division by zero" in done.stderr


def test_graph_error_exits_1(stack, tmp_path):
    cycle = graph([fn("A", "add", b=1), fn("B", "add", b=1)], [edge("A", "B", "a"), edge("B", "A", "a")])
    done = psynapse("run", write(tmp_path, cycle), "--url", stack.url)
    assert done.returncode == 1
    assert "Graph contains a cycle: A -> B -> A" in done.stderr
    assert done.stdout == ""


def test_usage_errors_exit_2(stack, tmp_path):
    path = write(tmp_path, editor_file())
    unknown = psynapse("run", path, "--url", stack.url, "--set", "nope=1")
    assert unknown.returncode == 2
    assert "no variable node is named 'nope'" in unknown.stderr and "x" in unknown.stderr
    bad_value = psynapse("run", path, "--url", stack.url, "--set", "x=abc")
    assert bad_value.returncode == 2 and "'abc' is not a number" in bad_value.stderr
    missing = psynapse("run", str(tmp_path / "missing.json"), "--url", stack.url)
    assert missing.returncode == 2 and "no such workflow file" in missing.stderr
    (tmp_path / "broken.json").write_text("{nodes")
    broken = psynapse("run", str(tmp_path / "broken.json"), "--url", stack.url)
    assert broken.returncode == 2 and "is not JSON" in broken.stderr
    unreachable = psynapse("run", path, "--url", "http://127.0.0.1:9")
    assert unreachable.returncode == 2 and "cannot reach the gateway at http://127.0.0.1:9" in unreachable.stderr
    for done in (unknown, bad_value, missing, broken, unreachable):
        assert done.stdout == ""


def test_json_lines(stack, tmp_path):
    done = psynapse("run", write(tmp_path, failing_graph()), "--url", stack.url, "--json")
    assert done.returncode == 1
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1] == {"status": "done", "results": {"w1": None, "w2": 3.0}}
    assert {"node_id": "d", "status": "error", "error": "division by zero"}.items() <= next(
        e for e in events if e.get("node_id") == "d" and e["status"] == "error"
    ).items()


def test_run_to_nodes_runs_only_them_and_what_they_need(stack, tmp_path):
    path = write(tmp_path, spec_example())
    done = psynapse("run", path, "--url", stack.url, "--to", "F1", "--to", "ListView", "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    # F1 and ListView share V1, V2 and F1: each runs once; F3 and View are not run at all.
    ends = [e["node_id"] for e in events if e.get("status") == "completed"]
    assert sorted(ends) == ["F1", "F2", "L1", "ListView", "V1", "V2", "V3", "V4"]
    assert events[-1] == {"status": "done", "results": {"ListView": [8.0, 6.0]}}
    quiet = psynapse("run", path, "--url", stack.url, "--to", "F3")
    assert quiet.returncode == 0, quiet.stderr
    assert json.loads(quiet.stdout) == {}  # no view was among what ran
    assert "multiply (F3) completed" in quiet.stderr and "(L1)" not in quiet.stderr
    unknown = psynapse("run", path, "--url", stack.url, "--to", "F3", "--to", "nope")
    assert unknown.returncode == 2 and "Target node 'nope' is not in the graph" in unknown.stderr
    assert unknown.stdout == ""


def test_run_a_saved_workflow_to_a_node(stack, tmp_path):
    with stack.client() as client:
        assert client.put("/workflows/cli-partial", json=editor_file()).status_code == 200
    done = psynapse("run", "cli-partial", "--url", stack.url, "--set", "x=7", "--to", "L1", "--to", "ListView")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ListView": [10.0, 6.0]}
    assert "multiply (F3)" not in done.stderr
    unknown = psynapse("run", "cli-partial", "--url", stack.url, "--to", "F9")
    assert unknown.returncode == 2 and "'F9'" in unknown.stderr


# -- export ---------------------------------------------------------------------------
@pytest.mark.parametrize("body", [spec_example(), nodes_kinds_graph()], ids=["spec", "node-kinds"])
def test_exported_script_prints_what_the_services_show(stack, tmp_path, body):
    path = write(tmp_path, body)
    through_services = psynapse("run", path, "--url", stack.url)
    assert through_services.returncode == 0, through_services.stderr
    script = tmp_path / "flow.py"
    exported = psynapse("export", path, "-o", str(script), "--nodepacks-dir", str(stack.nodepacks))
    assert exported.returncode == 0, exported.stderr
    done = subprocess.run(
        [sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(through_services.stdout)
    if body == spec_example():
        assert json.loads(done.stdout) == SPEC_RESULTS
    else:
        assert "[P1] 100% step 3/3" in done.stderr and "[S1] hello streaming world" in done.stderr
        assert "p1_node = SlowProgress()\n" in script.read_text()


def _plain_python(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    """The script under a Python with the standard library only (no site-packages: no Psynapse)."""
    return subprocess.run(
        [sys.executable, "-I", "-S", str(script)], check=False, capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_exported_script_runs_without_psynapse_installed(stack, tmp_path):
    # basic's ops.py does `from psynapse import AnnotatedDict`: the script carries the SDK.
    script = tmp_path / "flow.py"
    exported = psynapse(
        "export", write(tmp_path, spec_example()), "-o", str(script), "--nodepacks-dir", str(stack.nodepacks)
    )
    assert exported.returncode == 0, exported.stderr
    done = _plain_python(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == SPEC_RESULTS
    # Numbers as the editor and `psynapse run` print them.
    assert '"View": 48,' in done.stdout and "48.0" not in done.stdout and "8.0" not in done.stdout
    ran = psynapse("run", write(tmp_path, spec_example()), "--url", stack.url)
    assert ran.stdout == done.stdout


def test_exported_script_says_what_it_needs_and_stops(stack, tmp_path):
    packs = copy_packs(tmp_path / "packs", "llms")
    (packs / "needy").mkdir()
    (packs / "needy" / "ops.py").write_text(
        "import msgspec\n\n\ndef size(x: int) -> int:\n    return len(msgspec.json.encode(x))\n"
    )
    llm = graph(
        [var("m", "Hi", "String", llmMessageFormat=True), fn("c", "openai_chat_completion", model="m"), view("w")],
        [edge("m", "c", "messages"), edge("c", "w")],
    )
    script = tmp_path / "llm.py"
    assert psynapse("export", write(tmp_path, llm), "-o", str(script), "--nodepacks-dir", str(packs)).returncode == 0
    text = script.read_text()
    assert "Packages the nodepacks need" in text and "openai: pip install 'psynapse[llm]'" in text
    done = _plain_python(script, tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert (
        done.stderr.strip() == "llm.py needs packages this Python does not have:\n  openai: pip install 'psynapse[llm]'"
    )
    # A pack that imports a package at the top of its file: named, with how to install it.
    script = tmp_path / "needy.py"
    body = graph([fn("s", "size", x=3), view("w")], [edge("s", "w")])
    assert psynapse("export", write(tmp_path, body), "-o", str(script), "--nodepacks-dir", str(packs)).returncode == 0
    done = _plain_python(script, tmp_path)
    assert done.returncode == 1 and "nodepack 'needy' (ops.py) needs 'msgspec'" in done.stderr
    assert done.stderr.rstrip().endswith("pip install msgspec") and "Traceback" not in done.stderr


def test_run_prints_numbers_as_the_editor_shows_them(stack, tmp_path):
    done = psynapse("run", write(tmp_path, spec_example()), "--url", stack.url)
    assert done.returncode == 0, done.stderr
    assert '"ListView": [\n    8,\n    6\n  ]' in done.stdout and ".0" not in done.stdout
    lines = psynapse("run", write(tmp_path, spec_example()), "--url", stack.url, "--json")
    assert lines.stdout.splitlines()[-1] == '{"status": "done", "results": {"View": 48, "ListView": [8, 6]}}'
    assert "multiply (F3) completed" in done.stderr and "48.0" not in done.stderr


def test_export_errors_exit_2(stack, tmp_path):
    cycle = graph([fn("A", "add", b=1), fn("B", "add", b=1)], [edge("A", "B", "a"), edge("B", "A", "a")])
    for body, message in [(cycle, "cycle"), (graph([fn("A", "nope")], []), "unknown function 'nope'")]:
        done = psynapse(
            "export", write(tmp_path, body), "-o", str(tmp_path / "x.py"), "--nodepacks-dir", str(stack.nodepacks)
        )
        assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "x.py").exists()


# -- export: control flow ---------------------------------------------------------------
# Saved workflows the graphs below run, besides test_control_flow's (on this module's stack).
CLI_WORKFLOWS = {
    **WORKFLOWS,
    # result = x + 2, by a subgraph of a subgraph
    "cli_add_two": graph(
        [named_var("x", "x"), subgraph("a", "cf_add_one"), subgraph("b", "cf_add_one"), named_view("out", "result")],
        [edge("x", "a", "x"), edge("a", "b", "x", "result"), edge("b", "out", "input", "result")],
    ),
    # positive = x when x > 0 (else untaken), other = x + 1 otherwise (else untaken)
    "cli_sign": graph(
        [
            named_var("x", "x"),
            var("zero", "0"),
            fn("gt", "less_than"),
            {"id": "if", "type": "ifNode", "data": {}},
            fn("inc", "add", b=1),
            named_view("vp", "positive"),
            named_view("vo", "other"),
        ],
        [
            edge("zero", "gt", "a"),
            edge("x", "gt", "b"),
            edge("gt", "if", "condition"),
            edge("x", "if", "value"),
            edge("if", "vp", "input", "true"),
            edge("if", "inc", "a", "false"),
            edge("inc", "vo"),
        ],
    ),
}


@pytest.fixture(scope="module")
def saved(stack, tmp_path_factory):
    """The workflows saved on the stack, and the same as files (the editor's Export format)."""
    folder = tmp_path_factory.mktemp("workflows")
    with stack.client() as client:
        for name, body in CLI_WORKFLOWS.items():
            assert client.put(f"/workflows/{name}", json=body).status_code in (200, 201)
            (folder / f"{name}.json").write_text(json.dumps(editor_shaped(body)))
    stack.workflows_dir = folder
    return stack


def editor_shaped(body: dict) -> dict:
    """A graph as the editor's Export writes it: a version, positions, edge ids."""
    return {
        "version": 1,
        "nodes": [{**node, "position": {"x": 100 * i, "y": 0}} for i, node in enumerate(body["nodes"])],
        "edges": [{"id": f"e{i}", **e} for i, e in enumerate(body["edges"])],
    }


def run_both(stack, tmp_path: Path, body: dict, *export_args: str) -> tuple[subprocess.CompletedProcess, ...]:
    """``psynapse run`` of the graph on the stack, and its exported script run by this Python."""
    path = write(tmp_path, body)
    through_services = psynapse("run", path, "--url", stack.url)
    script = tmp_path / "flow.py"
    exported = psynapse(
        "export",
        path,
        "-o",
        str(script),
        "--nodepacks-dir",
        str(stack.nodepacks),
        *(export_args or ("--url", stack.url)),
    )
    assert exported.returncode == 0, exported.stderr
    done = subprocess.run(
        [sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    return through_services, done


def same_results(stack, tmp_path: Path, body: dict, *export_args: str) -> tuple[dict, str]:
    through_services, done = run_both(stack, tmp_path, body, *export_args)
    assert through_services.returncode == 0, through_services.stderr
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(through_services.stdout)
    return json.loads(done.stdout), (tmp_path / "flow.py").read_text()


def switch_graph(text: str) -> dict:
    """Switch, a function returning Skip for a key, a merge of both ways, a List of what came."""
    return graph(
        [
            var("t", text, "String"),
            fn("p", "parse_int"),
            {"id": "sw", "type": "switchNode", "data": {"cases": ["forty", "7"]}},
            view("v40"),
            view("v7"),
            view("other"),
            fn("double", "multiply", b=2),
            fn("merge", "first_of"),
            lst("L"),
            fn("drop", "maybe", keep=False),
            view("vd"),
            view("vmerge"),
            view("vlist"),
            view("vdrop"),
        ],
        [
            edge("t", "p", "text"),
            edge("p", "sw", "value", "invalid"),
            edge("p", "double", "a", "number"),
            edge("sw", "v40", "input", "forty"),
            edge("sw", "v7", "input", "7"),
            edge("sw", "other", "input", "default"),
            edge("double", "vd"),
            edge("double", "merge", "a"),
            edge("sw", "merge", "b", "forty"),
            edge("p", "L", "input-0", "invalid"),
            edge("double", "L", "input-1"),
            edge("t", "drop", "x"),
            edge("drop", "vdrop"),
            edge("merge", "vmerge"),
            edge("L", "vlist"),
        ],
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (if_graph(True, ms=5), {"vy": 5, "vn": None}),
        (if_graph(False, ms=5), {"vy": None, "vn": 105}),
        (
            switch_graph("forty"),
            {
                "v40": "forty",
                "v7": None,
                "other": None,
                "vd": None,
                "vmerge": "forty",
                "vlist": ["forty"],
                "vdrop": None,
            },
        ),
        (
            switch_graph("7"),
            {"v40": None, "v7": None, "other": None, "vd": 14, "vmerge": 14, "vlist": [14], "vdrop": None},
        ),
    ],
    ids=["if-true", "if-false", "switch-case", "switch-number"],
)
def test_exported_branches_skip_what_the_services_skip(saved, tmp_path, body, expected):
    results, script = same_results(saved, tmp_path, body)
    assert results == expected
    assert "if truth(C):" in script or "match case_text(" in script
    assert "    no = Skip  # skipped" in script or "    double = Skip  # skipped" in script


def test_exported_subgraphs_are_functions_nested_ones_too(saved, tmp_path):
    body = graph(
        [
            var("a", "40"),
            subgraph("s", "cli_add_two"),
            view("v"),
            var("neg", "-3"),
            subgraph("sign", "cli_sign"),
            view("vp"),
            view("vo"),
            # A subgraph fed an untaken value: its nodes are skipped, its outputs untaken.
            var("no", False, "Boolean"),
            {"id": "if", "type": "ifNode", "data": {}},
            subgraph("skipped", "cf_add_one"),
            view("vs"),
        ],
        [
            edge("a", "s", "x"),
            edge("s", "v", "input", "result"),
            edge("neg", "sign", "x"),
            edge("sign", "vp", "input", "positive"),
            edge("sign", "vo", "input", "other"),
            edge("no", "if", "condition"),
            edge("a", "if", "value"),
            edge("if", "skipped", "x", "true"),
            edge("skipped", "vs", "input", "result"),
        ],
    )
    results, script = same_results(saved, tmp_path, body)
    assert results == {"v": 42, "vp": None, "vo": -2, "vs": None}
    assert script.count("def workflow_cf_add_one(inputs: dict[str, Any]) -> dict[str, Any]:") == 1
    assert "s = workflow_cli_add_two({'x': A})" in script
    assert "a = workflow_cf_add_one({'x': x})" in script  # inside cli_add_two's function


def test_exported_map_runs_on_a_thread_pool_in_item_order(saved, tmp_path):
    body = graph(
        [items("xs", [3, 1, 2, 0.5]), map_node("m", "cf_add_one", concurrency=2), view("v")],
        [edge("xs", "m", "items"), edge("m", "v")],
    )
    results, script = same_results(saved, tmp_path, body)
    assert results == {"v": [4, 2, 3, 1.5]}
    assert "concurrency=2" in script and "concurrent.futures.ThreadPoolExecutor(max_workers=concurrency" in script


def test_exported_map_fails_on_a_failed_item_or_goes_on(saved, tmp_path):
    def body(**data) -> dict:
        return graph(
            [items("xs", [1, 0, 2]), map_node("m", "cf_inverse", concurrency=1, **data), view("v")],
            [edge("xs", "m", "items"), edge("m", "v")],
        )

    through_services, done = run_both(saved, tmp_path, body())
    assert through_services.returncode == 1
    assert "item 1 failed: node 'm/1/d' (divide): division by zero" in through_services.stderr
    assert done.returncode == 1 and done.stdout == ""
    assert "Map (m) failed: item 1 failed: division by zero" in done.stderr
    assert "[m] 2/3 items, 1 failed" in done.stderr and "3/3" not in done.stderr  # item 2 never started
    # Told to go on: None in its place, the item's failure reported, and both exit 0.
    through_services, done = run_both(saved, tmp_path, body(continueOnError=True))
    assert through_services.returncode == 0, through_services.stderr
    assert "divide (m/1/d) failed (its map went on): division by zero" in through_services.stderr
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(through_services.stdout) == {"v": [10, None, 5]}
    assert "[m] item 1 failed: division by zero" in done.stderr and "[m] 3/3 items, 1 failed" in done.stderr


def test_exported_loop_feeds_outputs_back_up_to_its_cap(saved, tmp_path):
    def body(**data) -> dict:
        return graph(
            [var("start", "3"), loop_node("l", "cf_double", **data), view("v")],
            [edge("start", "l", "n"), edge("l", "v", "input", "n")],
        )

    results, script = same_results(saved, tmp_path, body())
    assert results == {"v": 192}  # 3 -> 6 -> ... -> 192
    assert "max_iterations=100" in script
    through_services, done = run_both(saved, tmp_path, body(maxIterations=3))
    message = "Loop reached its cap of 3 iterations with 'more' still true"
    assert through_services.returncode == 1 and message in through_services.stderr
    assert done.returncode == 1 and done.stdout == "" and f"Loop (l) failed: {message}" in done.stderr


def test_export_reads_workflows_from_a_folder_offline(saved, tmp_path):
    body = graph(
        [items("xs", [1, 2]), map_node("m", "cli_add_two"), view("v"), var("s", "1"), loop_node("l", "cf_double")],
        [edge("xs", "m", "items"), edge("m", "v"), edge("s", "l", "n")],
    )
    results, script = same_results(
        saved, tmp_path, body, "--workflows-dir", str(saved.workflows_dir), "--url", "http://127.0.0.1:9"
    )
    assert results == {"v": [3, 4]}
    assert f"Workflow cf_add_one (from {saved.workflows_dir / 'cf_add_one.json'})" in script


def test_export_reads_a_pinned_version_from_the_gateway(saved, tmp_path):
    with saved.client() as client:
        client.delete("/workflows/cli_versions")
        for b in (1, 1000):
            client.put(
                "/workflows/cli_versions",
                json=graph(
                    [named_var("x", "x"), fn("f", "add", b=b), named_view("out", "result")],
                    [edge("x", "f", "a"), edge("f", "out")],
                ),
            )
    body = graph(
        [
            var("a", "1"),
            subgraph("old", "cli_versions", version=1),
            subgraph("new", "cli_versions"),
            view("v1"),
            view("v2"),
        ],
        [
            edge("a", "old", "x"),
            edge("a", "new", "x"),
            edge("old", "v1", "input", "result"),
            edge("new", "v2", "input", "result"),
        ],
    )
    results, script = same_results(saved, tmp_path, body)
    assert results == {"v1": 2, "v2": 1001}
    assert "def workflow_cli_versions_v1(" in script and "(version 2, the newest when exported" in script


def test_export_workflow_errors_exit_2(saved, tmp_path):
    def export(body: dict, *args: str) -> subprocess.CompletedProcess:
        path = write(tmp_path, body)
        return psynapse("export", path, "-o", str(tmp_path / "x.py"), "--nodepacks-dir", str(saved.nodepacks), *args)

    missing = graph([subgraph("s", "cli_nothing_saved")], [])
    on_gateway = export(missing, "--url", saved.url)
    assert on_gateway.returncode == 2
    assert "Subgraph node 's': no workflow cli_nothing_saved (not saved on the gateway at" in on_gateway.stderr
    in_folder = export(missing, "--workflows-dir", str(saved.workflows_dir))
    assert in_folder.returncode == 2 and "no cli_nothing_saved.json in" in in_folder.stderr
    unreachable = export(missing, "--url", "http://127.0.0.1:9")
    assert unreachable.returncode == 2 and "cannot reach the gateway at http://127.0.0.1:9" in unreachable.stderr
    folder = tmp_path / "loops"
    folder.mkdir()
    (folder / "ping.json").write_text(json.dumps(graph([subgraph("p", "pong")], [])))
    (folder / "pong.json").write_text(json.dumps(graph([map_node("back", "ping", item="x")], [])))
    recursive = export(graph([subgraph("s", "ping")], []), "--workflows-dir", str(folder))
    assert recursive.returncode == 2
    assert "Map node 'back' runs workflow 'ping', which contains itself: ping → pong → ping" in recursive.stderr
    assert not (tmp_path / "x.py").exists()


# -- saved workflows ----------------------------------------------------------------------
def test_run_saved_workflow_by_name(stack, tmp_path):
    with stack.client() as client:
        if client.get("/workflows").status_code == 404:
            pytest.skip("this gateway has no /workflows endpoint")
        body = editor_file()
        assert client.put("/workflows/cli-sums", json=body).status_code == 200
    done = psynapse("run", "cli-sums", "--url", stack.url, "--set", "x=7")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"View": 60.0, "ListView": [10.0, 6.0]}
    unknown_input = psynapse("run", "cli-sums", "--url", stack.url, "--set", "y=7")
    assert unknown_input.returncode == 2 and "'y'" in unknown_input.stderr
    unknown = psynapse("run", "cli-nothing-saved", "--url", stack.url)
    assert unknown.returncode == 2 and "no workflow named 'cli-nothing-saved'" in unknown.stderr
    without_gateway = psynapse("run", "cli-sums")
    assert without_gateway.returncode == 2 and "--url" in without_gateway.stderr


# -- embedded mode ------------------------------------------------------------------------
def test_run_without_url_starts_and_stops_an_embedded_stack(tmp_path):
    packs = copy_packs(tmp_path / "nodepacks", "basic")
    token = "cli-test-token"
    done = psynapse(
        "run",
        write(tmp_path, spec_example()),
        "--nodepacks-dir",
        str(packs),
        env={"PSYNAPSE_API_TOKEN": token, "TMPDIR": str(tmp_path)},
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == SPEC_RESULTS
    assert "starting an embedded stack" in done.stderr
    # The temporary data folder is gone, and so is every process of the stack.
    assert not list(tmp_path.glob("psynapse-run-*"))
    assert not [p.pid for p in psutil.process_iter() if _data_dir(p).startswith(str(tmp_path))]


def _data_dir(process: psutil.Process) -> str:
    try:
        return process.environ().get("PSYNAPSE_DATA_DIR", "")
    except (psutil.Error, OSError):
        return ""
