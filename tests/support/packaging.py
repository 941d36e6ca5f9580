"""Real packaging for tests: a pack's project built into a wheel by pip, a venv of its own to install it in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

_BACKEND = Path(__file__).with_name("wheel_backend.py")


def write_project(root: Path, dist: str, version: str, entry_points: dict[str, str], files: dict[str, str]) -> Path:
    """A pack's source tree: pyproject.toml (the entry points) and its files."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(_BACKEND, root / "wheel_backend.py")
    points = "".join(f'{name} = "{value}"\n' for name, value in entry_points.items())
    (root / "pyproject.toml").write_text(
        "[build-system]\n"
        "requires = []\n"
        'build-backend = "wheel_backend"\n'
        'backend-path = ["."]\n\n'
        f'[project]\nname = "{dist}"\nversion = "{version}"\n\n'
        f'[project.entry-points."psynapse.nodepacks"]\n{points}'
    )
    for relpath, source in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return root


def lay_out(site: Path, dist: str, version: str, entry_points: dict[str, str], files: dict[str, str]) -> Path:
    """A distribution as an installer leaves it in ``site`` (its files, a dist-info with
    METADATA and entry_points.txt), for tests that need no pip: its dist-info."""
    for relpath, source in files.items():
        path = site / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[psynapse.nodepacks]\n{lines}")
    return info


def lay_out_halver(site: Path) -> Path:
    """The installed pack ``halver`` (distribution psynapse-halver 1.0): ``halve(x) = x / 2``."""
    return lay_out(
        site,
        "psynapse-halver",
        "1.0",
        {"halver": "halver_nodes"},
        {"halver_nodes/__init__.py": "", "halver_nodes/ops.py": "def halve(x: float) -> float:\n    return x / 2\n"},
    )


def build_wheel(project: Path, out: Path) -> Path:
    """``pip wheel`` of the project: the wheel file it wrote."""
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.glob("*.whl"))
    pip(sys.executable, "wheel", "--no-deps", "--no-index", "-w", str(out), str(project))
    (wheel,) = set(out.glob("*.whl")) - before
    return wheel


def make_venv(path: Path) -> Path:
    """A venv whose own site-packages comes first, seeing the packages this interpreter sees
    after it (psynapse and its dependencies): its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    own = subprocess.run(
        [
            str(python),
            "-c",
            "import json, sys, sysconfig; print(json.dumps([sysconfig.get_paths()['purelib'], sys.path]))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    site, paths = json.loads(own)
    # Only what the venv lacks (not its standard library: an isolated build drops what a .pth adds).
    ours = [entry for entry in sys.path if entry and os.path.isdir(entry) and entry not in paths]
    (Path(site) / "_psynapse_tests_parent.pth").write_text("\n".join(ours) + "\n")
    return python


def pip(python: str | Path, *args: str) -> subprocess.CompletedProcess:
    """This interpreter's pip, acting on ``python``'s environment."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check", "-q", *args],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done
