"""`psynapse pack new` and `psynapse pack check` as a pack author runs them (real processes, no stack)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.support.packaging import lay_out_halver
from tests.support.stack import PSYNAPSE


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PSYNAPSE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def write(root: Path, files: dict[str, str]) -> None:
    for relpath, source in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())


def test_a_new_pack_checks_clean_and_its_own_tests_pass(tmp_path):
    made = run("pack", "new", "demo-pack", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "demo-pack"
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()) == [
        "README.md",
        "demo_pack/__init__.py",
        "demo_pack/ops.py",
        "pyproject.toml",
        "tests/test_demo_pack.py",
    ]
    assert (
        '[project.entry-points."psynapse.nodepacks"]\ndemo_pack = "demo_pack"'
        in (project / "pyproject.toml").read_text()
    )

    checked = run("pack", "check", "demo-pack", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert lines[0] == f"demo_pack  (package demo-pack 0.1.0)  {project / 'demo_pack'}"
    assert lines[1] == f"  greet  function node  {project / 'demo_pack' / 'ops.py'}:12"
    assert [line.split() for line in lines[2:5]] == [
        ["name", "str", "required", "text", "field"],
        ["times", "int", "default", "1", "number", "field", "(whole", "numbers)"],
        ["punctuation", "Literal", "default", "'.'", "select:", "'.',", "'!'"],
    ]
    assert lines[5:] == ["    -> result: str", "demo_pack: 1 node, 0 errors, 0 warnings"]

    # The pack's own tests: they load it with Psynapse's loader, then call the node.
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "2 passed" in tested.stdout

    again = run("pack", "new", "demo-pack", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = run("pack", "new", "9lives", cwd=tmp_path)
    assert bad.returncode == 2 and "invalid pack name" in bad.stderr


def test_check_names_each_problem_with_its_file_and_line_and_fails(tmp_path):
    write(
        tmp_path / "broken",
        {
            "ops.py": """
                import fractions


                def untyped(a, b: int = 2) -> int:
                    return a + b


                def unresolved(x: "Missing", *rest: int) -> int:
                    return 1


                def wire_only(value: fractions.Fraction, scale: float = float("nan")):
                    return value
            """,
            "progress_ops.py": "import os\n\nRATIO = 1 / 0\n",
            "stream_ops.py": "class Talk:\n    def __call__(self, text: str) -> str\n        return text\n",
        },
    )
    done = run("pack", "check", "broken", cwd=tmp_path)
    assert done.returncode == 1
    pack = tmp_path / "broken"
    problems = [line for line in done.stdout.splitlines() if line.startswith(("error", "warning"))]
    assert problems == [
        f"error    {pack / 'progress_ops.py'}:3  ZeroDivisionError: division by zero",
        f"error    {pack / 'stream_ops.py'}:2  SyntaxError: expected ':'",
        f"error    {pack / 'ops.py'}:4  untyped: parameter 'a' has no type hint",
        f"error    {pack / 'ops.py'}:8  unresolved: parameter 'x' has an unsupported type: "
        "'Missing' names a type that is not defined where the node is",
        f"warning  {pack / 'ops.py'}:8  unresolved: *rest is not an input: the editor cannot wire it",
        f"warning  {pack / 'ops.py'}:12  wire_only: the default of 'scale' is not JSON: the editor shows nan",
        f"warning  {pack / 'ops.py'}:12  wire_only: no return type hint: its output is typed Any",
        f"warning  {pack / 'ops.py'}:12  wire_only: parameter 'value' (Fraction) has no editor control: "
        "only a wire can feed it",
    ]
    assert done.stdout.splitlines()[-1] == "broken: 3 nodes, 4 errors, 4 warnings"
    as_json = run("pack", "check", str(pack), "--json", cwd=tmp_path)
    assert as_json.returncode == 1
    (report,) = json.loads(as_json.stdout)
    assert [node["name"] for node in report["nodes"]] == ["untyped", "unresolved", "wire_only"]
    assert report["nodes"][0]["params"][1] == {
        "name": "b",
        "type": "int",
        "required": False,
        "default": 2,
        "control": "number field (whole numbers)",
        "rules": [],
    }
    assert sum(problem["severity"] == "error" for problem in report["problems"]) == 4


def test_check_a_project_that_cannot_import_and_an_installed_pack_by_name(tmp_path):
    write(
        tmp_path / "needs-lib",
        {
            "pyproject.toml": """
                [project]
                name = "needs-lib"
                version = "0.3.0"

                [project.entry-points."psynapse.nodepacks"]
                needs = "needs_lib"
            """,
            "src/needs_lib/__init__.py": "",
            "src/needs_lib/ops.py": """
                import os
                import not_an_installed_library


                def f(x: int) -> int:
                    return x
            """,
        },
    )
    done = run("pack", "check", "needs-lib", cwd=tmp_path)
    assert done.returncode == 1
    ops = tmp_path / "needs-lib" / "src" / "needs_lib" / "ops.py"
    assert f"error    {ops}:2  ModuleNotFoundError: No module named 'not_an_installed_library'" in done.stdout
    assert done.stdout.splitlines()[0].startswith("needs  (package needs-lib 0.3.0)")

    site = tmp_path / "site"
    lay_out_halver(site)
    pythonpath = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    named = run("pack", "check", "halver", cwd=tmp_path, env={"PYTHONPATH": pythonpath})
    assert named.returncode == 0, named.stdout + named.stderr
    assert named.stdout.splitlines()[0] == f"halver  (package psynapse-halver 1.0)  {site / 'halver_nodes'}"
    unknown = run("pack", "check", "no-such-pack", cwd=tmp_path, env={"PYTHONPATH": pythonpath})
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "psynapse pack check: no-such-pack is neither a folder nor an installed pack (installed packs: halver)"
    )
    (tmp_path / "nodepacks" / "local").mkdir(parents=True)
    (tmp_path / "nodepacks" / "local" / "ops.py").write_text("def here() -> int:\n    return 1\n")
    folder = run("pack", "check", "local", "--nodepacks-dir", str(tmp_path / "nodepacks"), cwd=tmp_path)
    assert folder.returncode == 0 and folder.stdout.startswith("local  (folder)")


def test_a_path_parameter_gets_a_file_picker(tmp_path):
    write(
        tmp_path / "files",
        {
            "ops.py": """
                from pathlib import Path


                def line_count(path: Path, limit: Path | None = None) -> int:
                    return len(path.read_text().splitlines())
            """,
        },
    )
    done = run("pack", "check", "files", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (report,) = json.loads(done.stdout)
    assert [(p["name"], p["type"], p["control"]) for p in report["nodes"][0]["params"]] == [
        ("path", "Path", "file picker"),
        ("limit", "Optional[Path]", "file picker"),
    ]
    assert report["problems"] == []


def test_check_names_the_form_a_rich_parameter_gets(tmp_path):
    pack = tmp_path / "rich"
    write(
        pack,
        {
            "ops.py": """
                import dataclasses
                import enum
                from typing import Annotated, Optional

                import numpy as np
                from annotated_types import Ge, Le
                from PIL.Image import Image


                class Shade(enum.Enum):
                    LIGHT = "light"
                    DARK = "dark"


                @dataclasses.dataclass
                class Size:
                    width: int
                    height: int = 512


                def draw(
                    size: Size,
                    shade: Shade,
                    level: Annotated[int, Ge(0), Le(100)],
                    picture: Image,
                    pixels: np.ndarray,
                    maybe: Optional[Size] = None,
                ) -> str:
                    return ""
            """,
        },
    )
    checked = run("pack", "check", str(pack), "--json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (report,) = json.loads(checked.stdout)
    assert {param["name"]: param["control"] for param in report["nodes"][0]["params"]} == {
        "size": "form: width, height",
        "shade": "select: 'light', 'dark'",
        "level": "slider and number field (0 to 100)",
        "picture": "image upload with a preview",
        "pixels": "JSON field (a list becomes an array)",
        "maybe": "form: width, height",
    }
