"""The nodepack loader against real pack folders written to tmp_path, and the shipped packs."""

import json
import pickle
import sys
import textwrap
from pathlib import Path

import pytest

from psynapse_common.nodepacks import Catalog, NodeSpec, load_catalog

REPO_NODEPACKS = Path(__file__).resolve().parents[2] / "nodepacks"


def write(root: Path, relpath: str, source: str) -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def report(catalog: Catalog, pack: str) -> dict:
    return next(r for r in catalog.pack_reports() if r["name"] == pack)


def test_ops_lists_only_public_functions_defined_in_the_file(tmp_path):
    write(
        tmp_path,
        "p/ops.py",
        """
        from os.path import join
        from typing import Literal

        def add(a: int, b: int = 1) -> int:
            "Add."
            return a + b

        def _private(x: int) -> int:
            return x
        plus = add  # an alias is not a second node
        class NotAFunction:
            def __call__(self, x: int) -> int:
                return x
    """,
    )
    catalog = load_catalog(tmp_path)
    assert list(catalog.nodes) == ["add"]
    spec = catalog.nodes["add"]
    assert isinstance(spec, NodeSpec)
    assert (spec.kind, spec.pack, spec.pool, spec.cacheable, spec.output_keys) == (
        "function",
        "p",
        "default",
        True,
        None,
    )
    assert spec.param_types == {"a": int, "b": int}
    assert spec.target(2) == 3
    assert spec.schema["filepath"] == str(tmp_path / "p" / "ops.py")
    assert report(catalog, "p") == {
        "name": "p",
        "path": str(tmp_path / "p"),
        "status": "ok",
        "errors": [],
        "nodes": ["add"],
        "missing": [],
        "source": "folder",
        "distribution": None,
        "version": None,
    }


def test_progress_and_stream_classes(tmp_path):
    write(
        tmp_path,
        "p/progress_ops.py",
        """
        class _Private:
            def __call__(self): ...
        class Slow:
            "Slow work."
            def __call__(self, steps: int = 3) -> str:
                return "done"

        class NoCall:
            "Ignored: no __call__."
        def helper_function(x: int) -> int:
            return x
    """,
    )
    write(
        tmp_path,
        "p/stream_ops.py",
        """
        class Talk:
            def __call__(self, prompt: str) -> str:
                "Talk back."
                return prompt
    """,
    )
    catalog = load_catalog(tmp_path)
    assert [(s.name, s.kind) for s in catalog.nodes.values()] == [("Slow", "progress"), ("Talk", "stream")]
    slow, talk = (s.schema for s in catalog.nodes.values())
    assert (slow["is_progress_node"], slow["is_stream_node"], slow["docstring"]) == (True, False, "Slow work.")
    assert (talk["is_progress_node"], talk["is_stream_node"], talk["docstring"]) == (False, True, "Talk back.")
    assert slow["params"] == [{"name": "steps", "type": "int", "default": 3}]
    assert catalog.nodes["Talk"].target()("hi") == "hi"


def test_packs_sorted_hidden_folders_skipped_and_order_is_stable(tmp_path):
    write(tmp_path, "zeta/ops.py", "def z() -> int:\n    return 1\n")
    write(tmp_path, "alpha/stream_ops.py", "class S:\n    def __call__(self) -> str:\n        return ''\n")
    write(tmp_path, "alpha/ops.py", "def b() -> int:\n    return 1\n\ndef a() -> int:\n    return 2\n")
    for hidden in (".git", "_drafts", "__pycache__"):
        write(tmp_path, f"{hidden}/ops.py", "def hidden() -> int:\n    return 0\n")
    write(tmp_path, "empty/README.md", "no nodes here")
    (tmp_path / "stray.py").write_text("def stray(): pass\n")
    catalog = load_catalog(tmp_path)
    assert [r.name for r in catalog.packs] == ["alpha", "empty", "zeta"]
    assert [s["name"] for s in catalog.schemas()] == ["b", "a", "S", "z"]
    assert report(catalog, "empty")["status"] == "ok" and report(catalog, "empty")["nodes"] == []
    json.dumps({"schemas": catalog.schemas(), "packs": catalog.pack_reports(), "clashes": catalog.clashes})


def test_schemas_are_copies(tmp_path):
    write(tmp_path, "p/ops.py", "def f(x: int) -> int:\n    return x\n")
    catalog = load_catalog(tmp_path)
    catalog.schemas()[0]["params"].clear()
    assert catalog.schemas()[0]["params"] == [{"name": "x", "type": "int"}]


def test_name_clash_lists_later_pack_as_pack_dot_name(tmp_path):
    for pack, body in (("basic", "a + b"), ("other", "a * b"), ("third", "a - b")):
        write(tmp_path, f"{pack}/ops.py", f"def add(a: int, b: int) -> int:\n    return {body}\n")
    catalog = load_catalog(tmp_path)
    assert list(catalog.nodes) == ["add", "other.add", "third.add"]
    assert catalog.nodes["add"].target(2, 3) == 5
    assert catalog.nodes["other.add"].target(2, 3) == 6
    assert catalog.nodes["other.add"].schema["name"] == "other.add"
    assert catalog.clashes == [
        {"name": "add", "packs": ["basic", "other", "third"], "listed_as": ["add", "other.add", "third.add"]}
    ]
    assert report(catalog, "other") == {
        "name": "other",
        "path": str(tmp_path / "other"),
        "status": "ok",
        "errors": [],
        "nodes": ["other.add"],
        "missing": [],
        "source": "folder",
        "distribution": None,
        "version": None,
    }


def test_same_name_twice_in_one_pack_is_an_error(tmp_path):
    write(tmp_path, "p/ops.py", "def Echo(text: str) -> str:\n    return text\n")
    write(tmp_path, "p/stream_ops.py", "class Echo:\n    def __call__(self, text: str) -> str:\n        return text\n")
    catalog = load_catalog(tmp_path)
    assert catalog.nodes["Echo"].kind == "function"
    rep = report(catalog, "p")
    assert rep["status"] == "error" and rep["nodes"] == ["Echo"]
    assert "defined twice" in rep["errors"][0]["message"]


def test_broken_packs_are_reported_and_others_still_load(tmp_path):
    write(tmp_path, "good/ops.py", "def ok() -> int:\n    return 1\n")
    syntax = write(tmp_path, "syntax/ops.py", "def fine() -> int:\n    return 1\n\ndef broken(:\n    pass\n")
    missing = write(
        tmp_path, "missing/ops.py", "import os\nimport no_such_module_xyz\n\ndef f() -> int:\n    return 1\n"
    )
    raising = write(tmp_path, "raising/ops.py", "x = 1\nraise RuntimeError('boom at import')\n")
    catalog = load_catalog(tmp_path)
    assert list(catalog.nodes) == ["ok"]
    assert report(catalog, "good")["status"] == "ok"
    assert report(catalog, "syntax")["errors"] == [
        {"file": str(syntax), "line": 4, "message": "SyntaxError: invalid syntax"}
    ]
    assert report(catalog, "missing")["errors"] == [
        {"file": str(missing), "line": 2, "message": "ModuleNotFoundError: No module named 'no_such_module_xyz'"}
    ]
    assert report(catalog, "raising")["errors"] == [
        {"file": str(raising), "line": 2, "message": "RuntimeError: boom at import"}
    ]
    assert all(report(catalog, p)["status"] == "error" for p in ("syntax", "missing", "raising"))


def test_pack_with_one_broken_file_keeps_the_good_files(tmp_path):
    write(tmp_path, "p/ops.py", "def ok(x: int) -> int:\n    return x\n")
    stream = write(tmp_path, "p/stream_ops.py", "import nope_not_here\n")
    write(tmp_path, "p/progress_ops.py", "class Work:\n    def __call__(self) -> int:\n        return 1\n")
    rep = report(load_catalog(tmp_path), "p")
    assert rep["status"] == "error" and rep["nodes"] == ["ok", "Work"]
    assert rep["errors"] == [
        {"file": str(stream), "line": 1, "message": "ModuleNotFoundError: No module named 'nope_not_here'"}
    ]


def test_error_raised_inside_a_helper_points_at_the_import_line_or_the_helper(tmp_path):
    ops = write(tmp_path, "p/ops.py", "import os\nfrom helpers import value\n")
    write(tmp_path, "p/helpers.py", "value = 1 / 0\n")
    helper = write(tmp_path, "q/helpers.py", "def broken(:\n")
    write(tmp_path, "q/ops.py", "from .helpers import broken\n")
    catalog = load_catalog(tmp_path)
    assert report(catalog, "p")["errors"] == [
        {"file": str(ops), "line": 2, "message": "ZeroDivisionError: division by zero"}
    ]
    [error] = report(catalog, "q")["errors"]
    assert (error["file"], error["line"]) == (str(helper), 1)
    assert error["message"].startswith("SyntaxError: ")


def test_sibling_helpers_by_absolute_and_relative_import(tmp_path):
    write(tmp_path, "p/helpers.py", "def shout(s: str) -> str:\n    return s.upper() + '!'\n")
    write(tmp_path, "p/more.py", "SUFFIX = '?'\n")
    write(
        tmp_path,
        "p/ops.py",
        """
        from helpers import shout
        from .more import SUFFIX

        def ask(s: str) -> str:
            return shout(s) + SUFFIX
    """,
    )
    # Another pack with a helper module of the same name must get its own.
    write(tmp_path, "q/helpers.py", "def shout(s: str) -> str:\n    return s.lower()\n")
    write(tmp_path, "q/ops.py", "from helpers import shout\n\ndef whisper(s: str) -> str:\n    return shout(s)\n")
    catalog = load_catalog(tmp_path)
    assert catalog.nodes["ask"].target("hi") == "HI!?"
    assert catalog.nodes["whisper"].target("HI") == "hi"
    assert "shout" not in catalog.nodes  # imported, so not a node


def test_reload_picks_up_edits_new_functions_and_edited_helpers(tmp_path, monkeypatch):
    # With bytecode caching on (as for users), a stale .pyc would be the failure mode.
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    write(tmp_path, "p/helpers.py", "FACTOR = 2\n")
    write(tmp_path, "p/local.py", "OFFSET = 1\n")
    ops = write(
        tmp_path,
        "p/ops.py",
        """
        from helpers import FACTOR
        from .local import OFFSET

        def calc(a: int, b: int) -> int:
            return a + b

        def scaled(x: int) -> int:
            return x * FACTOR + OFFSET
    """,
    )
    first = load_catalog(tmp_path)
    assert first.nodes["calc"].target(5, 3) == 8 and first.nodes["scaled"].target(1) == 3
    # Same sizes, likely the same second: a .pyc keyed on mtime and size would hide these edits.
    ops.write_text(ops.read_text().replace("a + b", "a - b"))
    write(tmp_path, "p/helpers.py", "FACTOR = 3\n")
    write(tmp_path, "p/local.py", "OFFSET = 5\n")
    second = load_catalog(tmp_path)
    assert second.nodes["calc"].target(5, 3) == 2
    assert second.nodes["scaled"].target(1) == 8
    assert first.nodes["calc"].target(5, 3) == 8  # the old catalog keeps its own code
    old_module = first.nodes["calc"].target.__module__
    assert old_module not in sys.modules and old_module.rpartition(".")[0] not in sys.modules
    assert second.nodes["calc"].target.__module__ in sys.modules
    ops.write_text(ops.read_text() + "\ndef extra() -> str:\n    return 'new'\n")
    assert load_catalog(tmp_path).nodes["extra"].target() == "new"
    ops.write_text("def only() -> int:\n    return 1\n")
    assert list(load_catalog(tmp_path).nodes) == ["only"]


def test_module_settings_pool_and_cache(tmp_path):
    write(
        tmp_path, "gpu/ops.py", "PSYNAPSE_POOL = 'gpu'\nPSYNAPSE_CACHE = False\n\ndef render() -> str:\n    return ''\n"
    )
    write(tmp_path, "gpu/stream_ops.py", "class Gen:\n    def __call__(self) -> str:\n        return ''\n")
    write(tmp_path, "bad/ops.py", "PSYNAPSE_POOL = 3\n\ndef f() -> int:\n    return 1\n")
    catalog = load_catalog(tmp_path)
    assert (catalog.nodes["render"].pool, catalog.nodes["render"].cacheable) == ("gpu", False)
    assert (catalog.nodes["Gen"].pool, catalog.nodes["Gen"].cacheable) == ("default", True)
    assert catalog.nodes["f"].pool == "default"
    assert "PSYNAPSE_POOL must be" in report(catalog, "bad")["errors"][0]["message"]


def test_pack_modules_support_dataclasses_pickling_and_postponed_annotations(tmp_path):
    write(
        tmp_path,
        "p/ops.py",
        """
        from __future__ import annotations
        from dataclasses import dataclass
        from typing import Literal, Optional

        @dataclass
        class Box:
            value: int
        def boxed(v: int, mode: Literal["a", "b"] = "a", note: Optional[str] = None) -> list[Box]:
            return [Box(v)]
        def dangling(x: DoesNotExist, y: int) -> int:
            return y
    """,
    )
    catalog = load_catalog(tmp_path)
    [box] = catalog.nodes["boxed"].target(4)
    assert pickle.loads(pickle.dumps(box)) == box
    assert catalog.nodes["boxed"].schema["params"] == [
        {"name": "v", "type": "int"},
        {
            "name": "mode",
            "type": "Literal",
            "default": "a",
            "literal_values": ["a", "b"],
            "json_schema": {"enum": ["a", "b"], "type": "string"},
        },
        {"name": "note", "type": "Optional[str]", "default": None},
    ]
    [returned] = catalog.nodes["boxed"].schema["returns"]
    assert returned["type"] == "list[Box]"
    assert returned["json_schema"]["items"] == {"$ref": "#/$defs/Box"}
    assert [p["type"] for p in catalog.nodes["dangling"].schema["params"]] == ["DoesNotExist", "int"]


def test_missing_nodepacks_dir_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nodepacks directory not found"):
        load_catalog(tmp_path / "nope")


def test_shipped_packs_load_and_run(monkeypatch):
    # The llms pack must load and fail clearly without the optional openai package.
    monkeypatch.setitem(sys.modules, "openai", None)
    catalog = load_catalog(REPO_NODEPACKS)
    assert [(r["name"], r["status"], r["errors"]) for r in catalog.pack_reports()] == [
        ("basic", "ok", []),
        ("examples", "ok", []),
        ("llms", "ok", []),
    ]
    assert catalog.clashes == []
    node = catalog.nodes
    assert {
        "add",
        "subtract",
        "multiply",
        "divide",
        "power",
        "int_add",
        "concat",
        "upper",
        "word_count",
        "round_number",
        "split_name",
        "to_list",
        "sum_list",
        "format_text",
    } <= set(node)
    assert all(s["docstring"] for s in catalog.schemas())
    assert node["add"].target(2, 3) == 5
    with pytest.raises(ZeroDivisionError, match="^division by zero$"):
        node["divide"].target(10.0, 0.0)
    assert node["split_name"].target("Ada Lovelace") == {"first": "Ada", "last": "Lovelace"}
    assert node["split_name"].output_keys == ("first", "last")
    assert [node["round_number"].target(2.5, m) for m in ("nearest", "floor", "ceil")] == [2, 2, 3]
    assert node["concat"].target("a", "b") == "a b" and node["word_count"].target(" two  words ") == 2
    assert node["format_text"].target("Total: {}", 3) == "Total: 3" and node["to_list"].target((1, 2)) == [1, 2]

    counter = node["CountWithProgress"].target()
    steps = []
    counter._progress_reporter.set_callback(lambda percent, message: steps.append((percent, message)))
    assert counter(count=4, delay_ms=0) == 4
    assert steps[-1] == (1.0, "Step 4/4") and len(steps) == 4

    echo = node["EchoStream"].target()
    chunks: list[str] = []
    echo._stream_reporter.set_callback(chunks.append)
    assert echo("hello  streaming world ", delay_ms=0) == "hello  streaming world "
    assert chunks == ["hello  ", "streaming ", "world "]

    for name in ("openai_chat_completion", "OpenAIChatCompletionStream"):
        assert node[name].cacheable is False
    assert node["OpenAIChatCompletionStream"].kind == "stream"
    with pytest.raises(RuntimeError, match=r"pip install 'psynapse\[llm\]'"):
        node["openai_chat_completion"].target("gpt-4o-mini", [{"role": "user", "content": "hi"}])
    with pytest.raises(RuntimeError, match=r"psynapse\[llm\]"):
        node["OpenAIChatCompletionStream"].target()("gpt-4o-mini", [])


def test_a_file_says_which_packages_its_nodes_need(tmp_path):
    write(
        tmp_path,
        "p/ops.py",
        """
        PSYNAPSE_REQUIRES = {"json": "pip install json", "psy_surely_not_installed": "pip install 'psynapse[x]'"}

        def ask(prompt: str) -> str:
            import psy_surely_not_installed
            return psy_surely_not_installed.ask(prompt)
    """,
    )
    write(
        tmp_path,
        "q/stream_ops.py",
        """
        PSYNAPSE_REQUIRES = ["psy_also_missing.sub"]

        class Talk:
            def __call__(self, text: str) -> str:
                return text
    """,
    )
    write(
        tmp_path,
        "r/ops.py",
        """
        PSYNAPSE_REQUIRES = "openai"

        def f(x: int) -> int:
            return x
    """,
    )
    catalog = load_catalog(tmp_path)
    # The nodes load (the pack imports its dependency inside them), flagged with what they need.
    assert {"ask", "Talk", "f"} <= set(catalog.nodes)
    assert report(catalog, "p")["status"] == "ok"
    assert report(catalog, "p")["missing"] == [
        {
            "module": "psy_surely_not_installed",
            "install": "pip install 'psynapse[x]'",
            "file": str(tmp_path / "p" / "ops.py"),
            "nodes": ["ask"],
            "pool": "default",
        }
    ]
    assert report(catalog, "q")["missing"] == [
        {
            "module": "psy_also_missing.sub",
            "install": "pip install psy_also_missing.sub",
            "file": str(tmp_path / "q" / "stream_ops.py"),
            "nodes": ["Talk"],
            "pool": "default",
        }
    ]
    bad = report(catalog, "r")
    assert bad["status"] == "error" and "PSYNAPSE_REQUIRES must map module names" in bad["errors"][0]["message"]


def test_the_llms_pack_declares_openai_and_takes_one_message_or_many():
    catalog = load_catalog(REPO_NODEPACKS)
    llms = report(catalog, "llms")
    installed = any(m["module"] == "openai" for m in llms["missing"]) is False
    assert llms["status"] == "ok"
    if not installed:
        assert {m["install"] for m in llms["missing"]} == {"pip install 'psynapse[llm]'"}
    for name in ("openai_chat_completion", "OpenAIChatCompletionStream"):
        messages = next(p for p in catalog.nodes[name].schema["params"] if p["name"] == "messages")
        assert messages["type"] == "Union[list[dict], dict, str]"
    as_messages = catalog.nodes["openai_chat_completion"].target.__globals__["_as_messages"]
    one = {"role": "user", "content": "Hi"}
    assert as_messages(one) == [one] and as_messages([one, one]) == [one, one]
    assert as_messages("Hi") == [one]
