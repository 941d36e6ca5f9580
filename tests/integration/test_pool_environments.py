"""Runner pools in Python environments of their own: two venvs holding two versions of one
library, a pack for each that imports it, both nodes in one run.

Everything is real: the venvs are made by ``psynapse pool-env`` (``python -m venv`` and a
``.pth`` that shows them this environment's psynapse), the library ``verlib`` is built from
a folder by pip (offline, with the tests' standard-library build backend) into each, and
each pool's runner is ``psynapse runner --pool NAME --python VENV/bin/python``. The
services' own environment has no verlib at all: its packs import it at the top, so only
the pools' runners can load them.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.graphs import edge, fn, graph, view
from tests.support.packaging import pip, write_project
from tests.support.stack import PSYNAPSE, Stack, start_stack, stop_stack

POOLS = {"verlib1": "1.0", "verlib2": "2.0"}

PACKS = {
    # Imported at the top: the services' environment cannot load these packs at all.
    "old_verlib/ops.py": """
        import verlib

        PSYNAPSE_POOL = "verlib1"


        def old_verlib_version() -> str:
            \"\"\"The verlib this node's environment holds.\"\"\"
            return verlib.__version__
    """,
    "new_verlib/ops.py": """
        import verlib

        PSYNAPSE_POOL = "verlib2"
        PSYNAPSE_REQUIRES = {"psy_absent_lib": "pip install psy-absent-lib"}


        def new_verlib_version(suffix: str = "") -> str:
            return verlib.__version__ + suffix
    """,
    # Broken everywhere, with an error that names the module of each load: what the pools
    # publish differs after every load, and must not make the catalog change for ever.
    "broken/ops.py": """
        from .helper import nothing_here
    """,
    "broken/helper.py": """
        x = 1
    """,
    # A pool no runner takes.
    "orphan/ops.py": """
        PSYNAPSE_POOL = "nobody"


        def orphan_node(x: int) -> int:
            return x
    """,
}


def _pool_env(root: Path, pool: str, version: str) -> Path:
    made = subprocess.run(
        [*PSYNAPSE, "pool-env", str(root / pool)], capture_output=True, text=True, timeout=120, check=False
    )
    assert made.returncode == 0, made.stderr
    python = root / pool / "bin" / "python"
    project = write_project(
        root / f"verlib-{version}", "verlib", version, {}, {"verlib/__init__.py": f'__version__ = "{version}"\n'}
    )
    pip(python, "install", "--no-deps", "--no-index", "--no-build-isolation", str(project))
    return python


@pytest.fixture(scope="module")
def pools_stack(nats_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, dict[str, Path]]]:
    root = tmp_path_factory.mktemp("pool-envs")
    pythons = {pool: _pool_env(root, pool, version) for pool, version in POOLS.items()}
    packs = root / "nodepacks"
    for relpath, source in PACKS.items():
        (packs / relpath).parent.mkdir(parents=True, exist_ok=True)
        (packs / relpath).write_text(textwrap.dedent(source).lstrip())
    data = root / "data"
    data.mkdir()
    stack = start_stack(nats_server.url, packs, data, runners=1)
    env = {
        **os.environ,
        "PSYNAPSE_NATS_URL": nats_server.url,
        "PSYNAPSE_NODEPACKS_DIR": str(packs),
        "PSYNAPSE_DATA_DIR": str(data),
        "PSYNAPSE_LOG_FORMAT": "json",
    }
    runners = []
    for pool, python in pythons.items():
        with open(data / f"runner-{pool}.log", "wb") as log:
            runners.append(
                subprocess.Popen(
                    [*PSYNAPSE, "runner", "--pool", pool, "--python", str(python)],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        yield stack, pythons
    finally:
        for runner in runners:
            runner.terminate()
        for runner in runners:
            try:
                runner.wait(30)
            except subprocess.TimeoutExpired:
                runner.kill()
                runner.wait()
        stop_stack(stack.process)


def _converged(stack: Stack, timeout: float = 60.0) -> tuple[list[dict], dict]:
    """The schema and packs once both pools' nodes are served, both pools are seen live and
    the pool without runners is named (a few seconds after the services start)."""
    deadline = time.monotonic() + timeout
    with stack.client() as client:
        while True:
            schema = client.get("/get_schema").json()
            packs = client.get("/nodepacks").json()
            names = {node["name"] for node in schema}
            by_name = {pack["name"]: pack for pack in packs["packs"]}
            served = {"old_verlib_version", "new_verlib_version"} <= names
            live = not any(by_name[name]["missing_pools"] for name in ("old_verlib", "new_verlib"))
            if served and live and by_name["orphan"]["missing_pools"]:
                return schema, packs
            if time.monotonic() > deadline:
                raise AssertionError(f"not converged in {timeout} s: {sorted(names)} {packs}")
            time.sleep(0.2)


def test_the_pool_environments_hold_their_own_verlib(pools_stack):
    _, pythons = pools_stack
    for pool, python in pythons.items():
        done = subprocess.run(
            [str(python), "-c", "import verlib, psynapse_runner; print(verlib.__version__)"],
            capture_output=True,
            text=True,
            check=True,
            env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
        )
        assert done.stdout.strip() == POOLS[pool]


def test_each_pool_introspects_its_pack_and_both_versions_run_in_one_run(pools_stack):
    stack, pythons = pools_stack
    schema, packs = _converged(stack)
    nodes = {node["name"]: node for node in schema}
    assert nodes["old_verlib_version"]["pool"] == "verlib1"
    assert nodes["new_verlib_version"]["pool"] == "verlib2"
    assert [param["name"] for param in nodes["new_verlib_version"]["params"]] == ["suffix"]
    by_name = {pack["name"]: pack for pack in packs["packs"]}
    old, new = by_name["old_verlib"], by_name["new_verlib"]
    # The services' environment has no verlib: these packs load only where their pools run.
    assert old["status"] == "ok" and old["errors"] == [] and old["nodes"] == ["old_verlib_version"]
    assert old["environments"] == ["verlib1"] and old["pools"] == ["verlib1"]
    assert new["environments"] == ["verlib2"] and new["nodes"] == ["new_verlib_version"]

    body = graph(
        [fn("a", "old_verlib_version"), fn("b", "new_verlib_version", suffix="!"), view("va"), view("vb")],
        [edge("a", "va"), edge("b", "vb")],
    )
    with stack.client(timeout=120) as client:
        result = client.post("/execute", json=body).json()
    assert result["results"] == {"va": "1.0", "vb": "2.0!"}, result


def test_a_missing_requirement_and_a_pool_without_runners_are_named(pools_stack):
    stack, _ = pools_stack
    _, packs = _converged(stack)
    by_name = {pack["name"]: pack for pack in packs["packs"]}
    (need,) = by_name["new_verlib"]["missing"]
    assert need["module"] == "psy_absent_lib" and need["pool"] == "verlib2"
    assert need["install"] == "pip install psy-absent-lib" and need["nodes"] == ["new_verlib_version"]
    orphan = by_name["orphan"]
    assert orphan["missing_pools"] == [{"pool": "nobody", "nodes": ["orphan_node"]}]
    listed = subprocess.run(
        [*PSYNAPSE, "packs", "list", "--url", stack.url], capture_output=True, text=True, timeout=60, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert "needs psy_absent_lib in pool verlib2: pip install psy-absent-lib" in listed.stdout
    assert "no runner takes pool nobody (orphan_node)" in listed.stdout


def test_the_catalog_settles(pools_stack):
    stack, _ = pools_stack
    _, packs = _converged(stack)
    broken = {pack["name"]: pack for pack in packs["packs"]}["broken"]
    # Tried here and in both pools' environments: an error from each.
    assert broken["status"] == "error" and [error.get("pool") for error in broken["errors"]] == [
        None,
        "verlib1",
        "verlib2",
    ]
    with stack.client() as client:
        before = client.get("/health").json()["catalog_revision"]
        time.sleep(4)
        assert client.get("/health").json()["catalog_revision"] == before
