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
import sys
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
    runners = [start_runner(stack, pool, python) for pool, python in pythons.items()]
    try:
        yield stack, pythons
    finally:
        for runner in runners:
            stop_runner(runner)
        stop_stack(stack.process)


def start_runner(stack: Stack, pool: str, python: Path | None = None) -> subprocess.Popen:
    """``psynapse runner --pool POOL [--python PYTHON]`` with the stack's settings."""
    env = {
        **os.environ,
        "PSYNAPSE_NATS_URL": stack.nats_url,
        "PSYNAPSE_NODEPACKS_DIR": str(stack.nodepacks),
        "PSYNAPSE_DATA_DIR": str(stack.data_dir),
        "PSYNAPSE_LOG_FORMAT": "json",
    }
    own = ["--python", str(python)] if python else []
    with open(stack.data_dir / f"runner-{pool}-{'own' if python else 'services'}.log", "ab") as log:
        return subprocess.Popen(
            [*PSYNAPSE, "runner", "--pool", pool, *own], env=env, stdout=log, stderr=subprocess.STDOUT
        )


def stop_runner(runner: subprocess.Popen) -> None:
    runner.terminate()
    try:
        runner.wait(30)
    except subprocess.TimeoutExpired:
        runner.kill()
        runner.wait()


def _until(stack: Stack, what: str, predicate, timeout: float = 60.0):
    """The first (schema, packs by name) ``predicate`` accepts."""
    deadline = time.monotonic() + timeout
    with stack.client() as client:
        while True:
            schema = {node["name"]: node for node in client.get("/get_schema").json()}
            packs = {pack["name"]: pack for pack in client.get("/nodepacks").json()["packs"]}
            if predicate(schema, packs):
                return schema, packs
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {timeout} s: {what}: {sorted(schema)} {packs}")
            time.sleep(0.2)


def _converged(stack: Stack) -> tuple[list[dict], dict]:
    """The schema and packs once both pools' nodes are served, both pools are seen live and
    the pool without runners is named (a few seconds after the services start)."""

    def done(schema: dict, packs: dict) -> bool:
        live = not any(packs[name]["missing_pools"] for name in ("old_verlib", "new_verlib"))
        served = {"old_verlib_version", "new_verlib_version"} <= set(schema)
        return served and live and bool(packs["orphan"]["missing_pools"])

    schema, packs = _until(stack, "both pools served", done)
    return list(schema.values()), {"packs": list(packs.values())}


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


SOLO = """
    import verlib

    PSYNAPSE_POOL = "solo"


    def solo_version() -> str:
        return "solo " + verlib.__version__
"""


def test_a_pack_added_while_running_is_introspected_in_its_pools_environment_until_the_pool_moves(pools_stack):
    stack, pythons = pools_stack
    # Added while everything runs: the services' environment cannot import it.
    (stack.nodepacks / "solo_pack").mkdir()
    (stack.nodepacks / "solo_pack" / "ops.py").write_text(textwrap.dedent(SOLO).lstrip())
    _until(stack, "solo_pack loaded", lambda schema, packs: "solo_pack" in packs)
    own = start_runner(stack, "solo", pythons["verlib1"])
    try:
        schema, packs = _until(stack, "solo_version served", lambda schema, packs: "solo_version" in schema)
        assert packs["solo_pack"]["environments"] == ["solo"] and packs["solo_pack"]["status"] == "ok"
        with stack.client(timeout=120) as client:
            body = graph([fn("s", "solo_version"), view("v")], [edge("s", "v")])
            assert client.post("/execute", json=body).json()["results"] == {"v": "solo 1.0"}
    finally:
        stop_runner(own)
    # The pool's runners now run in the services' environment: what it published is withdrawn,
    # and the pack is what the services' environment makes of it.
    services = start_runner(stack, "solo")
    try:
        schema, packs = _until(stack, "solo_version withdrawn", lambda schema, packs: "solo_version" not in schema)
        solo = packs["solo_pack"]
        assert solo["status"] == "error" and solo["environments"] == [] and solo["nodes"] == []
        assert "verlib" in solo["errors"][0]["message"] and "pool" not in solo["errors"][0]
    finally:
        stop_runner(services)


def test_runner_python_must_import_psynapse(tmp_path):
    """A pool's interpreter without psynapse is refused before anything starts, saying how to make one."""
    # psynapse as a user has it (no PYTHONPATH: a venv that sees it through pool-env's .pth),
    # and a plain venv that does not.
    made = subprocess.run([*PSYNAPSE, "pool-env", str(tmp_path / "with")], capture_output=True, timeout=120)
    assert made.returncode == 0, made.stderr
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True, timeout=120)
    without = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    cli = [str(tmp_path / "with" / "bin" / "python"), "-m", "psynapse", "runner", "--pool", "p", "--python"]
    for python, says in (
        (tmp_path / "bare" / "bin" / "python", "psynapse pool-env DIR"),
        (tmp_path / "no", "cannot run"),
    ):
        done = subprocess.run(
            [*cli, str(python)], capture_output=True, text=True, timeout=120, env=without, check=False
        )
        assert done.returncode == 2 and says in done.stderr, done.stderr
