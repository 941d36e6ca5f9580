"""A PEP 517 build backend in the standard library alone, for the test packs' wheels.

The tests copy it into a test pack's project and name it in its pyproject.toml
(``backend-path = ["."]``), so ``pip wheel`` builds a real wheel offline: the machines
running the tests have neither ``wheel`` (which setuptools of their age needs) nor
hatchling installed, and a build must not depend on downloading one. It packs the
project's top-level packages and writes the dist-info a wheel needs (METADATA, WHEEL,
entry_points.txt, RECORD) from ``[project]``; an editable wheel (``pip install -e``,
PEP 660) holds a ``.pth`` naming the project folder instead of the packages.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
import zipfile
from pathlib import Path


def get_requires_for_build_wheel(config_settings: object = None) -> list[str]:
    return []


def get_requires_for_build_editable(config_settings: object = None) -> list[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: object = None, metadata_directory: object = None) -> str:
    return _build(wheel_directory, editable=False)


def build_editable(wheel_directory: str, config_settings: object = None, metadata_directory: object = None) -> str:
    return _build(wheel_directory, editable=True)


def _build(wheel_directory: str, editable: bool) -> str:
    project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
    name = re.sub(r"[-_.]+", "_", project["name"]).lower()
    version = project["version"]
    info = f"{name}-{version}.dist-info"
    files: dict[str, bytes] = {}
    if editable:
        files[f"__editable__.{name}.pth"] = f"{Path().resolve()}\n".encode()
    else:
        for package in sorted(p.parent for p in Path().glob("*/__init__.py")):
            for source in sorted(package.rglob("*.py")):
                if "__pycache__" not in source.parts:
                    files[source.as_posix()] = source.read_bytes()
    requires = "".join(f"Requires-Dist: {dependency}\n" for dependency in project.get("dependencies", []))
    files[f"{info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {version}\n{requires}"
    ).encode()
    files[f"{info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: psynapse-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    groups = project.get("entry-points", {})
    if groups:
        files[f"{info}/entry_points.txt"] = "".join(
            f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in entries.items()) + "\n"
            for group, entries in groups.items()
        ).encode()
    record = [f"{path},sha256={_digest(body)},{len(body)}" for path, body in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    filename = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / filename, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, body in files.items():
            wheel.writestr(path, body)
    return filename


def _digest(body: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
