"""Packs installed as distributions (``psynapse.nodepacks`` entry points), loaded like folders.

The distributions here are what an installer leaves in a site folder (a package and its
``.dist-info`` with METADATA and entry_points.txt), written to a folder put on sys.path;
tests/integration/test_installed_packs.py builds and pip-installs a real wheel.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from psynapse_common.nodepacks import Catalog, load_catalog
from tests.support.packaging import lay_out as install


def uninstall(site: Path, info: Path, package: str) -> None:
    shutil.rmtree(info)
    shutil.rmtree(site / package)


def report(catalog: Catalog, pack: str) -> dict:
    return next(r for r in catalog.pack_reports() if r["name"] == pack)


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


@pytest.fixture
def folders(tmp_path) -> Path:
    folder = tmp_path / "nodepacks"
    folder.mkdir()
    return folder


def test_an_installed_pack_loads_like_a_folder_pack(site, folders):
    (folders / "local").mkdir()
    (folders / "local" / "ops.py").write_text("def here(x: int) -> int:\n    return x\n")
    install(
        site,
        "tiny-pack",
        "1.2.0",
        {"tiny": "tiny_pack_a"},
        {
            "tiny_pack_a/__init__.py": "",
            "tiny_pack_a/helpers.py": "def twice(x):\n    return 2 * x\n",
            "tiny_pack_a/ops.py": """
                from .helpers import twice

                def double(x: int = 1) -> int:
                    "Twice x."
                    return twice(x)
            """,
            "tiny_pack_a/stream_ops.py": """
                class Say:
                    def __call__(self, text: str) -> str:
                        return text
            """,
        },
    )
    catalog = load_catalog(folders)
    assert [p["name"] for p in catalog.pack_reports()] == ["local", "tiny"]
    assert report(catalog, "tiny") == {
        "name": "tiny",
        "path": str(site / "tiny_pack_a"),
        "status": "ok",
        "errors": [],
        "nodes": ["double", "Say"],
        "missing": [],
        "source": "package",
        "distribution": "tiny-pack",
        "version": "1.2.0",
    }
    assert report(catalog, "local")["source"] == "folder"
    double = catalog.nodes["double"]
    assert (double.pack, double.kind, double.target(4)) == ("tiny", "function", 8)
    # Under its own module name, so its values pickle and its helpers import as usual.
    assert double.target.__module__ == "tiny_pack_a.ops"
    assert double.schema == {
        "name": "double",
        "params": [{"name": "x", "type": "int", "default": 1}],
        "returns": [{"name": "result", "type": "int"}],
        "docstring": "Twice x.",
        "filepath": str(site / "tiny_pack_a" / "ops.py"),
        "nodepack": "tiny",
        "is_progress_node": False,
        "is_stream_node": False,
    }
    assert catalog.nodes["Say"].kind == "stream"
    assert double.code_hash


def test_upgrade_and_removal_are_seen_by_the_next_load(site, folders):
    files = {"tiny_pack_b/__init__.py": "", "tiny_pack_b/ops.py": "def one() -> int:\n    return 1\n"}
    info = install(site, "tiny-b", "1.0", {"tinyb": "tiny_pack_b"}, files)
    first = load_catalog(folders)
    assert first.nodes["one"].target() == 1
    shutil.rmtree(info)
    files["tiny_pack_b/ops.py"] = "def one() -> int:\n    return 11\n\ndef two() -> int:\n    return 2\n"
    install(site, "tiny-b", "2.0", {"tinyb": "tiny_pack_b"}, files)
    second = load_catalog(folders)
    assert (second.nodes["one"].target(), second.nodes["two"].target()) == (11, 2)
    assert report(second, "tinyb")["version"] == "2.0"
    assert second.nodes["one"].code_hash != first.nodes["one"].code_hash
    uninstall(site, site / "tiny_b-2.0.dist-info", "tiny_pack_b")
    third = load_catalog(folders)
    assert "one" not in third.nodes and not any(r["name"] == "tinyb" for r in third.pack_reports())
    assert not any(name.startswith("tiny_pack_b") for name in sys.modules)


def test_broken_installed_packs_are_reported_with_file_and_line(site, folders):
    install(
        site,
        "bad-syntax",
        "0.1",
        {"badsyntax": "bad_syntax_pack"},
        {
            "bad_syntax_pack/__init__.py": "",
            "bad_syntax_pack/ops.py": "def fine() -> int:\n    return 1\n\ndef oops(:\n",
        },
    )
    install(
        site,
        "bad-init",
        "0.1",
        {"badinit": "bad_init_pack"},
        {"bad_init_pack/__init__.py": "import os\nraise RuntimeError('no config')\n"},
    )
    install(site, "no-files", "0.1", {"nofiles": "no_files_pack"}, {"no_files_pack/__init__.py": ""})
    install(site, "not-there", "0.1", {"notthere": "not_there_pack"}, {})
    install(site, "with-attr", "0.1", {"withattr": "with_attr_pack:nodes"}, {"with_attr_pack/__init__.py": ""})
    install(
        site,
        "good",
        "0.1",
        {"good": "good_pack"},
        {"good_pack/__init__.py": "", "good_pack/ops.py": "def g():\n    return 1\n"},
    )
    catalog = load_catalog(folders)
    errors = {r["name"]: r["errors"] for r in catalog.pack_reports()}
    assert errors["badsyntax"] == [
        {"file": str(site / "bad_syntax_pack" / "ops.py"), "line": 4, "message": "SyntaxError: invalid syntax"}
    ]
    assert errors["badinit"] == [
        {"file": str(site / "bad_init_pack" / "__init__.py"), "line": 2, "message": "RuntimeError: no config"}
    ]
    assert errors["nofiles"][0]["message"] == "no_files_pack has none of ops.py, progress_ops.py, stream_ops.py"
    assert errors["notthere"] == [
        {
            "file": "distribution not-there 0.1",
            "line": None,
            "message": "its entry point names 'not_there_pack', which is not an importable package",
        }
    ]
    assert "must name a package" in errors["withattr"][0]["message"]
    assert errors["good"] == [] and "g" in catalog.nodes
    assert all(r["status"] == "error" for r in catalog.pack_reports() if r["name"] != "good")


def test_a_folder_pack_keeps_its_name_over_an_installed_one(site, folders):
    (folders / "same").mkdir()
    (folders / "same" / "ops.py").write_text("def from_folder() -> int:\n    return 1\n")
    install(
        site,
        "same-dist",
        "3.0",
        {"same": "same_pack"},
        {"same_pack/__init__.py": "", "same_pack/ops.py": "def from_package() -> int:\n    return 2\n"},
    )
    catalog = load_catalog(folders)
    assert "from_folder" in catalog.nodes and "from_package" not in catalog.nodes
    installed = [r for r in catalog.pack_reports() if r["source"] == "package"]
    assert installed[0]["errors"][0]["message"] == (
        f"a pack named 'same' is already loaded (from {folders / 'same'}); not loaded"
    )


def test_installed_packs_can_be_left_out(site, folders):
    install(
        site,
        "skip-me",
        "1",
        {"skipme": "skip_me_pack"},
        {"skip_me_pack/__init__.py": "", "skip_me_pack/ops.py": "def s():\n    return 1\n"},
    )
    assert "s" in load_catalog(folders).nodes
    assert "s" not in load_catalog(folders, installed=False).nodes
