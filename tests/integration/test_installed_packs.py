"""A nodepack as a Python package: a real wheel, built by pip and pip-installed into a venv
the stack runs in, appears in the editor's catalog and runs; an upgrade runs the new code;
uninstalled, it is gone. No service restarts meanwhile."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.graphs import edge, fn, graph, var, view
from tests.support.packaging import build_wheel, make_venv, pip, write_project
from tests.support.stack import Stack, copy_packs, start_stack, stop_stack

DIST = "psynapse-tinypack"


def pack_files(version: str, suffix: str) -> dict[str, str]:
    return {
        "tinypack_nodes/__init__.py": f'__version__ = "{version}"\n',
        "tinypack_nodes/ops.py": f'''
            def shout(text: str, times: int = 2) -> str:
                """The text in capitals, `times` times."""
                return " ".join([text.upper()] * times) + "{suffix}"
        ''',
    }


@dataclass
class Installed:
    stack: Stack
    python: Path
    wheels: dict[str, Path]


@pytest.fixture(scope="module")
def installed(nats_server, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("installed")
    wheels = {
        version: build_wheel(
            write_project(
                root / f"src-{version}", DIST, version, {"tinypack": "tinypack_nodes"}, pack_files(version, suffix)
            ),
            root / "dist",
        )
        for version, suffix in (("1.0.0", ""), ("2.0.0", "!"))
    }
    python = make_venv(root / "venv")
    data = root / "data"
    data.mkdir()
    stack = start_stack(nats_server.url, copy_packs(root / "nodepacks", "basic"), data, runners=1, python=python)
    yield Installed(stack, python, wheels)
    stop_stack(stack.process)


def eventually(check: Callable[[], bool], what: str, within_s: float = 20.0) -> float:
    """Seconds until ``check()`` held."""
    started = time.monotonic()
    while time.monotonic() - started < within_s:
        if check():
            return time.monotonic() - started
        time.sleep(0.02)
    pytest.fail(f"{what} did not happen within {within_s:.0f} s")


def test_an_installed_pack_appears_runs_upgrades_and_goes_away(installed):
    body = graph([var("t", "hi", "String"), fn("s", "shout"), view("v")], [edge("t", "s", "text"), edge("s", "v")])
    with installed.stack.client() as client:

        def names() -> set[str]:
            return {schema["name"] for schema in client.get("/get_schema").json()}

        def pack() -> dict | None:
            return next((p for p in client.get("/nodepacks").json()["packs"] if p["name"] == "tinypack"), None)

        assert "shout" not in names() and "add" in names()
        started = time.monotonic()
        pip(installed.python, "install", "--no-deps", "--no-index", str(installed.wheels["1.0.0"]))
        pip_s = time.monotonic() - started
        after_pip_s = eventually(lambda: "shout" in names(), "the installed pack's node appearing")
        schema = next(s for s in client.get("/get_schema").json() if s["name"] == "shout")
        assert schema["nodepack"] == "tinypack"
        assert schema["params"] == [{"name": "text", "type": "str"}, {"name": "times", "type": "int", "default": 2}]
        assert "/site-packages/tinypack_nodes/ops.py" in schema["filepath"]
        report = pack()
        assert report is not None
        assert {k: report[k] for k in ("source", "distribution", "version", "status", "nodes", "errors")} == {
            "source": "package",
            "distribution": DIST,
            "version": "1.0.0",
            "status": "ok",
            "nodes": ["shout"],
            "errors": [],
        }
        basic = next(p for p in client.get("/nodepacks").json()["packs"] if p["name"] == "basic")
        assert (basic["source"], basic["distribution"], basic["version"]) == ("folder", None, None)
        assert client.post("/execute", json=body).json()["results"] == {"v": "HI HI"}

        # An upgrade in place: the runner runs the new code on the next job.
        pip(installed.python, "install", "--no-deps", "--no-index", str(installed.wheels["2.0.0"]))
        eventually(lambda: (pack() or {}).get("version") == "2.0.0", "the upgrade being listed")
        assert client.post("/execute", json=body).json()["results"] == {"v": "HI HI!"}

        pip(installed.python, "uninstall", "-y", DIST)
        eventually(lambda: "shout" not in names() and pack() is None, "the uninstalled pack going away")
        answer = client.post("/execute", json=body)
        assert answer.status_code == 400 and "shout" in answer.text
    print(
        f"\ninstalled pack visible in /get_schema {after_pip_s * 1000:.0f} ms after pip returned "
        f"({(pip_s + after_pip_s) * 1000:.0f} ms after pip started)"
    )


def test_packs_reload_loads_now_and_says_what_it_loaded(installed):
    def psynapse(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(installed.python), "-m", "psynapse", *args], capture_output=True, text=True, timeout=120, check=False
        )

    with installed.stack.client() as client:
        before = client.post("/nodepacks/reload").json()
        assert {p["name"] for p in before["packs"]} >= {"basic"}
        done = psynapse("packs", "reload", "--url", installed.stack.url)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert lines[0] == f"catalog revision {before['revision'] + 1}"
        assert any(line.startswith("basic") and "ok" in line and "folder: " in line for line in lines)
        pip(installed.python, "install", "--no-deps", "--no-index", str(installed.wheels["1.0.0"]))
        try:
            # Whether or not the watcher saw it yet, the reload's answer has it.
            done = psynapse("pack", "reload", "--url", installed.stack.url)
            assert any(
                line.startswith("tinypack") and f"package: {DIST} 1.0.0" in line and "1 node" in line
                for line in done.stdout.splitlines()
            ), done.stdout
            # And the gateway serves it once the reload answered.
            assert "shout" in {s["name"] for s in client.get("/get_schema").json()}
            listed = psynapse("packs", "list", "--url", installed.stack.url)
            assert listed.returncode == 0 and "tinypack" in listed.stdout
        finally:
            pip(installed.python, "uninstall", "-y", DIST)
    unreachable = psynapse("packs", "reload", "--url", "http://127.0.0.1:9")
    assert unreachable.returncode == 2 and "cannot reach the gateway" in unreachable.stderr


def test_an_editable_install_hot_reloads_its_source_folder(installed, tmp_path):
    """``pip install -e``: the services read the .pth it adds, then watch the source folder."""
    project = write_project(
        tmp_path / "editpack",
        "psynapse-editpack",
        "0.1.0",
        {"editpack": "editpack_nodes"},
        {"editpack_nodes/__init__.py": "", "editpack_nodes/ops.py": "def edited() -> int:\n    return 1\n"},
    )
    body = graph([fn("e", "edited"), view("v")], [edge("e", "v")])
    pip(installed.python, "install", "--no-deps", "--no-index", "-e", str(project))
    try:
        with installed.stack.client() as client:
            eventually(
                lambda: "edited" in {s["name"] for s in client.get("/get_schema").json()}, "the editable pack appearing"
            )
            report = next(p for p in client.get("/nodepacks").json()["packs"] if p["name"] == "editpack")
            assert report["path"] == str(project / "editpack_nodes") and report["version"] == "0.1.0"
            assert client.post("/execute", json=body).json()["results"] == {"v": 1}
            (project / "editpack_nodes" / "ops.py").write_text(
                "def edited() -> int:\n    return 2\n\n\ndef added() -> int:\n    return 3\n"
            )
            eventually(
                lambda: "added" in {s["name"] for s in client.get("/get_schema").json()}, "an edit being picked up"
            )
            assert client.post("/execute", json=body).json()["results"] == {"v": 2}
    finally:
        pip(installed.python, "uninstall", "-y", "psynapse-editpack")
