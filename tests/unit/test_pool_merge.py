"""The catalog the schema service serves: its own load merged with the pools that run in
environments of their own. Each "environment" here is a real load of a real pack folder
(a folder per environment, as two venvs would hold two versions of the same code)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from psynapse_common.messages import CatalogSnapshot, PoolCatalog
from psynapse_common.nodepacks import load_catalog
from psynapse_common.pool_catalog import pool_catalog
from psynapse_schema.catalog import snapshot_of
from psynapse_schema.pools import merge


def environment(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for relpath, source in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return root


def local(root: Path) -> CatalogSnapshot:
    return snapshot_of(load_catalog(root, installed=False), 0)


def view(root: Path, pool: str) -> PoolCatalog:
    return pool_catalog(load_catalog(root, installed=False), pool)


# A pack that needs a library only the "vision" pool's environment has.
NEEDS_LIB = """
    import {lib}

    PSYNAPSE_POOL = "vision"
    PSYNAPSE_REQUIRES = ["{lib}"]

    def version({param}) -> str:
        return "v"
"""


def pack(lib: str, param: str = "x: int") -> str:
    return NEEDS_LIB.format(lib=lib, param=param)


def by_name(packs: list[dict]) -> dict[str, dict]:
    return {report["name"]: report for report in packs}


def test_a_pack_that_fails_here_is_served_as_its_pool_loaded_it(tmp_path):
    here = environment(
        tmp_path / "here", {"vis/ops.py": pack("psy_no_such_lib"), "plain/ops.py": "def one() -> int:\n    return 1\n"}
    )
    there = environment(
        tmp_path / "there", {"vis/ops.py": pack("json"), "plain/ops.py": "def one() -> int:\n    return 1\n"}
    )
    merged = merge(local(here), {"vision": view(there, "vision")}, {"default", "vision"})
    assert [schema["name"] for schema in merged.schemas] == ["one", "version"]
    assert merged.nodes["version"].pool == "vision"
    packs = by_name(merged.packs)
    assert packs["vis"]["status"] == "ok" and packs["vis"]["errors"] == [] and packs["vis"]["nodes"] == ["version"]
    assert packs["vis"]["environments"] == ["vision"] and packs["vis"]["pools"] == ["vision"]
    assert packs["plain"]["environments"] == [] and packs["plain"]["pools"] == ["default"]
    assert all(report["missing_pools"] == [] for report in merged.packs)


def test_without_the_pools_environment_its_errors_come_from_here(tmp_path):
    here = environment(tmp_path / "here", {"vis/ops.py": pack("psy_no_such_lib")})
    merged = merge(local(here), {}, None)
    report = by_name(merged.packs)["vis"]
    assert report["status"] == "error" and "psy_no_such_lib" in report["errors"][0]["message"]
    assert "pool" not in report["errors"][0] and report["environments"] == []


def test_a_pack_that_loads_nowhere_shows_its_errors_from_every_environment(tmp_path):
    here = environment(tmp_path / "here", {"vis/ops.py": pack("psy_no_such_lib")})
    there = environment(tmp_path / "there", {"vis/ops.py": pack("psy_nor_there")})
    report = by_name(merge(local(here), {"vision": view(there, "vision")}, None).packs)["vis"]
    assert report["status"] == "error" and report["nodes"] == []
    assert [(error.get("pool"), "psy_no_such_lib" in error["message"]) for error in report["errors"]] == [
        (None, True),
        ("vision", False),
    ]
    assert "psy_nor_there" in report["errors"][1]["message"]


def test_a_missing_requirement_is_named_with_the_pool_whose_environment_lacks_it(tmp_path):
    lazy = """
        PSYNAPSE_POOL = "vision"
        PSYNAPSE_REQUIRES = {"psy_absent": "pip install psy-absent"}

        def version(x: int) -> str:
            import psy_absent
            return psy_absent.__version__
    """
    here = environment(tmp_path / "here", {"vis/ops.py": lazy})
    # Here, without the pool's environment: missing here, for pool vision's nodes.
    (need,) = by_name(merge(local(here), {}, None).packs)["vis"]["missing"]
    assert (need["module"], need["pool"], need["nodes"]) == ("psy_absent", "vision", ["version"])
    # With it: what counts is that environment (missing there too, so named once, with its pool).
    there = environment(tmp_path / "there", {"vis/ops.py": lazy})
    (need,) = by_name(merge(local(here), {"vision": view(there, "vision")}, None).packs)["vis"]["missing"]
    assert (need["module"], need["pool"], need["file"]) == ("psy_absent", "vision", str(there / "vis" / "ops.py"))
    # Installed there (json stands for it): nothing is missing, whatever this environment lacks.
    fine = environment(tmp_path / "fine", {"vis/ops.py": lazy.replace("psy_absent", "json")})
    assert by_name(merge(local(here), {"vision": view(fine, "vision")}, None).packs)["vis"]["missing"] == []


def test_one_name_from_two_pools_with_different_signatures_is_a_clash(tmp_path):
    one = environment(
        tmp_path / "one", {"a/ops.py": 'PSYNAPSE_POOL = "p1"\n\ndef info(x: int) -> str:\n    return ""\n'}
    )
    two = environment(
        tmp_path / "two", {"b/ops.py": 'PSYNAPSE_POOL = "p2"\n\ndef info(x: str) -> str:\n    return ""\n'}
    )
    empty = environment(tmp_path / "here", {})
    merged = merge(local(empty), {"p1": view(one, "p1"), "p2": view(two, "p2")}, {"p1", "p2"})
    assert merged.clashes == [{"name": "info", "packs": ["a", "b"], "listed_as": ["info"], "pools": ["p1", "p2"]}]
    assert merged.nodes["info"].pool == "p1" and [s["name"] for s in merged.schemas] == ["info"]
    assert by_name(merged.packs)["b"]["nodes"] == []
    # The same node with the same signature from two pools is no clash (the first pool's is served).
    same = environment(
        tmp_path / "same", {"a/ops.py": 'PSYNAPSE_POOL = "p2"\n\ndef info(x: int) -> str:\n    return ""\n'}
    )
    assert merge(local(empty), {"p1": view(one, "p1"), "p2": view(same, "p2")}, None).clashes == []


GPU_NODE = """
    from psynapse.sdk import pool

    def a() -> int:
        return 1

    @pool("gpu")
    def b() -> int:
        return 2
"""


def test_nodes_whose_pool_no_runner_takes_are_reported(tmp_path):
    here = environment(tmp_path / "here", {"p/ops.py": GPU_NODE})
    report = by_name(merge(local(here), {}, {"default"}).packs)["p"]
    assert report["pools"] == ["default", "gpu"] and report["missing_pools"] == [{"pool": "gpu", "nodes": ["b"]}]
    # Not known yet (no beats read): nothing is reported.
    assert by_name(merge(local(here), {}, None).packs)["p"]["missing_pools"] == []
