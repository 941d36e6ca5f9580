"""``psynapse pack new NAME``: a nodepack as a Python package, ready to test and install.

Writes ``NAME/`` with a pyproject.toml declaring the pack's ``psynapse.nodepacks`` entry
point, the package with an ``ops.py`` holding one typed node, and a test that loads the
pack as the services do (``psynapse.packs.check.check_path``) and calls the node.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "0.1.0"
description = "A Psynapse nodepack"
requires-python = ">=3.11"
# What the pack's nodes import: installed with it, in the services' environment.
dependencies = []

[project.optional-dependencies]
test = ["pytest>=8", "psynapse"]

# The pack: its name in the editor = the package holding ops.py (progress_ops.py, stream_ops.py).
[project.entry-points."psynapse.nodepacks"]
{module} = "{module}"

[tool.setuptools]
packages = ["{module}"]

[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["tests"]
"""

INIT = '''\
"""The {module} nodepack."""

__version__ = "0.1.0"
'''

OPS = '''\
"""The {module} nodepack: every public function defined here is a node in Psynapse's editor.

Type hints pick each input's control (str: a text field, int and float: number fields,
bool: a checkbox, Literal: a select, list and dict: JSON), defaults make inputs optional,
and the docstring is the node's tooltip. Nodes that report progress or stream text are
classes in progress_ops.py and stream_ops.py (see Psynapse's README).
"""

from typing import Literal


def greet(name: str, times: int = 1, punctuation: Literal[".", "!"] = ".") -> str:
    """Greet someone, `times` times."""
    return " ".join([f"Hello, {{name}}{{punctuation}}"] * times)
'''

TEST = '''\
"""The pack as Psynapse loads it, and its nodes as plain functions.

Run `python -m pytest` here (with pytest and psynapse installed: `pip install -e '.[test]'`).
"""

from pathlib import Path

from psynapse.packs.check import check_path

from {module}.ops import greet

PROJECT = Path(__file__).resolve().parents[1]


def test_psynapse_loads_every_node_without_problems():
    (report,) = check_path(PROJECT)
    assert not report.errors, report.text()
    assert [node.name for node in report.nodes] == ["greet"]


def test_greet():
    assert greet("Ada") == "Hello, Ada."
    assert greet("Ada", times=2, punctuation="!") == "Hello, Ada! Hello, Ada!"
'''

README = """\
# {name}

A Psynapse nodepack.

```sh
pip install -e '.[test]'   # into the environment Psynapse's services run in
python -m pytest           # loads the pack as Psynapse does and tests its nodes
psynapse pack check .      # every node, its inputs and the editor's controls, and any problem
```

Installed, the pack appears in the editor's library without a restart; edits to an
editable install are picked up as they are saved.
"""


def write_skeleton(name: str, target: Path) -> list[Path]:
    """The files of a new pack named ``name`` in ``target`` (which must be empty or absent)."""
    if not _NAME.match(name):
        raise ValueError(f"invalid pack name {name!r}: start with a letter; letters, digits, '-' or '_'")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValueError(f"{target} already exists and is not an empty folder")
    module = name.replace("-", "_").lower()
    files = {
        target / "pyproject.toml": PYPROJECT.format(name=name, module=module),
        target / "README.md": README.format(name=name),
        target / module / "__init__.py": INIT.format(module=module),
        target / module / "ops.py": OPS.format(module=module),
        target / "tests" / f"test_{module}.py": TEST.format(module=module),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return list(files)


def main(args: argparse.Namespace) -> int:
    target = Path(args.dir) if args.dir else Path(args.name)
    try:
        written = write_skeleton(args.name, target)
    except ValueError as exc:
        print(f"psynapse pack new: {exc}", file=sys.stderr)
        return 2
    print(f"wrote the nodepack {args.name!r} in {target}/:")
    print("\n".join(f"  {path.relative_to(target)}" for path in written))
    print(
        f"next:\n  cd {target}\n  python -m pytest\n  psynapse pack check .\n"
        "  pip install -e .    # into the services' environment: the pack appears in the editor"
    )
    return 0
