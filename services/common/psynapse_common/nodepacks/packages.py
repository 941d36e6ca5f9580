"""Nodepacks installed as Python distributions: the ``psynapse.nodepacks`` entry points.

A distribution declares its pack in its ``pyproject.toml``::

    [project.entry-points."psynapse.nodepacks"]
    mypack = "mypack_module"

The entry point's name is the pack's name; the module it names is a package whose
``ops``, ``progress_ops`` and ``stream_ops`` submodules are read like a folder pack's
files. Each load imports the package afresh (its modules are dropped from
``sys.modules`` first), so an upgrade is picked up without a restart; the libraries
it imports are not reloaded.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import site
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import structlog

ENTRY_POINT_GROUP = "psynapse.nodepacks"

log = structlog.get_logger()

# Top-level modules the last load imported as packs: dropped before the next load, so
# an uninstalled pack's modules do not linger and an upgraded one's are read anew.
_imported: set[str] = set()
# The .pth files of the site folders as this process has read them (name -> mtime);
# None until the first load, which takes those Python read at start-up as read.
_read_pth: dict[Path, int] | None = None


@dataclass(frozen=True)
class InstalledPack:
    name: str  # the entry point's name: the pack's name
    module: str  # the package it names
    distribution: str
    version: str
    # Why it cannot load before anything is imported (an entry point naming an attribute).
    problem: str | None = None


def installed_packs() -> list[InstalledPack]:
    """Every ``psynapse.nodepacks`` entry point of this environment, by pack name.

    ``importlib.metadata`` reads the distributions on ``sys.path`` as they are now
    (the caller invalidates the import caches first).
    """
    found: list[InstalledPack] = []
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = entry.dist
        found.append(
            InstalledPack(
                name=entry.name,
                module=entry.module,
                distribution=dist.name if dist is not None else "?",
                version=dist.version if dist is not None else "?",
                problem=_attr_problem(entry),
            )
        )
    return sorted(found, key=lambda pack: (pack.name, pack.distribution))


def _attr_problem(entry: importlib.metadata.EntryPoint) -> str | None:
    if not entry.attr:
        return None
    return f"the entry point {entry.name} = {entry.value!r} must name a package (a module path without ':')"


def read_new_path_files() -> None:
    """Do what Python does at start-up for the ``.pth`` files installed since.

    An editable install (``pip install -e``) puts its source folder on ``sys.path``
    through a ``.pth`` file (a folder per line, or an ``import`` line that installs a
    finder), which Python reads only when it starts.
    """
    global _read_pth
    found = {path: path.stat().st_mtime_ns for folder in _site_packages() for path in folder.glob("*.pth")}
    if _read_pth is None:
        _read_pth = found
        return
    for path, mtime in sorted(found.items()):
        if _read_pth.get(path) != mtime:
            _read_path_file(path)
    _read_pth = found


def _site_packages() -> list[Path]:
    folders = [*site.getsitepackages(), site.getusersitepackages()]
    return [Path(folder) for folder in folders if Path(folder).is_dir()]


def _read_path_file(path: Path) -> None:
    """As ``site.addpackage``: ``import`` lines run, other lines are folders to add."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return
    for line in lines:
        line = line.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("import ", "import\t")):
            try:
                exec(line)
            except Exception as exc:  # noqa: BLE001 - Python reports and skips a failing .pth line too
                log.warning("nodepacks.pth_failed", file=str(path), line=line, error=str(exc))
            continue
        folder = (path.parent / line).resolve()
        if folder.is_dir() and str(folder) not in sys.path:
            sys.path.append(str(folder))


def project_packs(project: Path) -> tuple[list[InstalledPack], Path]:
    """The packs a source tree's ``pyproject.toml`` declares, as if it were installed, and
    the folder its packages import from (``src/`` in a src layout).

    Raises ValueError when the file is missing, unreadable or declares no pack.
    """
    path = project / "pyproject.toml"
    try:
        meta = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    points = meta.get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    if not points:
        raise ValueError(f'{path} declares no [project.entry-points."{ENTRY_POINT_GROUP}"]')
    found = []
    for name, value in sorted(points.items()):
        entry = importlib.metadata.EntryPoint(name=name, value=str(value), group=ENTRY_POINT_GROUP)
        found.append(
            InstalledPack(
                name=name,
                module=entry.module,
                distribution=str(meta.get("name", project.name)),
                version=str(meta.get("version", "?")),
                problem=_attr_problem(entry),
            )
        )
    tops = {pack.module.partition(".")[0] for pack in found}
    src = project / "src"
    root = src if any((src / top).is_dir() for top in tops) else project
    return found, root


def forget_imported() -> None:
    """Drop the modules of every pack the last load imported."""
    for name in _imported:
        _drop(name)
    _imported.clear()


def package_origin(module: str) -> Path | None:
    """The ``__init__.py`` of an installed package, found without importing it; None when missing."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):  # a dotted name whose parent is missing or fails
        return None
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        return None
    return Path(spec.origin)


def import_pack(module: str) -> None:
    """Import the pack's package afresh; what the package raises propagates."""
    top = module.partition(".")[0]
    _drop(top)
    _imported.add(top)
    importlib.import_module(module)


def import_file(module: str, path: Path) -> ModuleType:
    """The pack file ``path`` of the package ``module`` (``ops.py`` -> ``module.ops``)."""
    return importlib.import_module(f"{module}.{path.stem}")


def _drop(top: str) -> None:
    for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
        del sys.modules[name]


# What installing or removing a distribution adds or removes in a site folder.
_DISTRIBUTION_ENTRIES = (".dist-info", ".egg-info", ".egg-link", ".pth")


def site_dirs() -> list[Path]:
    """The folders on ``sys.path`` distributions can be installed into (an empty venv's too)."""
    found: dict[Path, None] = {}
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if path.is_dir():
            found[path] = None
    return list(found)


def is_distribution_entry(path: str | Path) -> bool:
    """Whether a site folder's entry is a distribution's record (or a .pth an editable install adds)."""
    return Path(path).name.endswith(_DISTRIBUTION_ENTRIES)


def installed_state(dirs: list[Path]) -> list[tuple[str, int]]:
    """The distributions' records in ``dirs`` with their modification times: it changes
    when a distribution is installed, upgraded or removed (and while pip writes one)."""
    state: list[tuple[str, int]] = []
    for folder in dirs:
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if is_distribution_entry(entry):
                try:
                    state.append((str(entry), entry.stat().st_mtime_ns))
                except OSError:
                    continue
    return sorted(state)
