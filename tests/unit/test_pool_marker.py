"""`@pool(...)` per node, over the file's PSYNAPSE_POOL; bad pool names are reported."""

import textwrap
from pathlib import Path

import pytest

from psynapse import pool
from psynapse_common.nodepacks import load_catalog


def write(root: Path, relpath: str, source: str) -> None:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip())


def test_decorator_overrides_the_file_pool_for_functions_and_classes(tmp_path):
    write(
        tmp_path,
        "p/ops.py",
        """
        from psynapse import pool

        PSYNAPSE_POOL = "cpu-big"

        @pool("gpu")
        def render(scene: str) -> str:
            return scene

        def plain(x: int) -> int:
            return x
    """,
    )
    write(
        tmp_path,
        "p/progress_ops.py",
        """
        from psynapse.sdk import pool

        @pool("gpu_2")
        class Train:
            def __call__(self, steps: int = 1) -> int:
                return steps
    """,
    )
    catalog = load_catalog(tmp_path)
    assert {name: spec.pool for name, spec in catalog.nodes.items()} == {
        "render": "gpu",
        "plain": "cpu-big",
        "Train": "gpu_2",
    }
    # The decorator returns the function itself: it is still listed and callable.
    assert catalog.nodes["render"].target("x") == "x"
    assert catalog.nodes["render"].schema["pool"] == "gpu"
    assert catalog.pack_reports()[0]["errors"] == []


def test_default_pool_nodes_keep_the_spec_schema_keys(tmp_path):
    write(tmp_path, "p/ops.py", "def f(x: int) -> int:\n    return x\n")
    schema = load_catalog(tmp_path).nodes["f"].schema
    assert "pool" not in schema
    assert load_catalog(tmp_path).nodes["f"].pool == "default"


@pytest.mark.parametrize("bad", ["", "gpu.a", "gpu*", "a b", ">", "x" * 129, 3])
def test_decorator_rejects_names_that_are_not_one_subject_token(bad):
    with pytest.raises(ValueError, match="pool"):
        pool(bad)


def test_bad_pools_are_reported_and_the_pack_still_loads(tmp_path):
    write(
        tmp_path,
        "p/ops.py",
        """
        from psynapse import pool

        @pool("gpu.big")
        def render() -> str:
            return ""
    """,
    )
    write(
        tmp_path,
        "q/ops.py",
        """
        PSYNAPSE_POOL = "a.b"

        def f() -> int:
            return 1

        def g() -> int:
            return 2
        g.__psynapse_pool__ = "x y"
    """,
    )
    catalog = load_catalog(tmp_path)
    p_errors = next(r for r in catalog.pack_reports() if r["name"] == "p")["errors"]
    assert "invalid pool 'gpu.big'" in p_errors[0]["message"] and p_errors[0]["line"] == 3
    q_errors = [e["message"] for e in next(r for r in catalog.pack_reports() if r["name"] == "q")["errors"]]
    assert any("PSYNAPSE_POOL must be" in m for m in q_errors)
    assert any("the pool of g must be" in m for m in q_errors)
    assert (catalog.nodes["f"].pool, catalog.nodes["g"].pool) == ("default", "default")
