"""Find every pack, import it afresh, and build the Catalog.

Packs come from two places: the folders of the nodepacks folder, and the installed
distributions that declare a ``psynapse.nodepacks`` entry point (see ``packages``).
Both are read the same way, file by file. Each call imports the code again, so
edited, installed, upgraded or removed packs are picked up; the caller decides when
to reload. A pack that fails to import is reported, never raised: the others still load.
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from . import packages
from .catalog import Catalog, NodeSpec, PackReport
from .fingerprint import pack_digest
from .importer import exec_file, fresh_package, sibling_imports
from .introspect import NodeKind
from .nodes import check_requirements, import_error, module_nodes

# File name -> the kind of node its public members become, in listing order.
PACK_FILES: dict[str, NodeKind] = {"ops.py": "function", "progress_ops.py": "progress", "stream_ops.py": "stream"}

# Loads swap entries in sys.modules and sys.meta_path, which are process-wide.
_LOAD_LOCK = threading.Lock()


def load_catalog(nodepacks_dir: str | Path, *, installed: bool = True) -> Catalog:
    """The folder packs of ``nodepacks_dir``, then (unless ``installed`` is False) the
    packs installed in this environment, each sorted by name."""
    root = Path(nodepacks_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"nodepacks directory not found: {root}")
    catalog = Catalog()
    with _LOAD_LOCK:
        # Directory listings (and the distributions found on sys.path) are cached by
        # the import system; a file or package added since the last load must be seen.
        importlib.invalidate_caches()
        for pack_dir in _pack_dirs(root):
            catalog.add_pack(*_load_folder(pack_dir))
        packages.forget_imported()
        if installed:
            packages.read_new_path_files()
            for pack in packages.installed_packs():
                catalog.add_pack(*_load_installed(pack, catalog))
    return catalog


def load_pack(source: Path | packages.InstalledPack) -> Catalog:
    """One pack alone, read as ``load_catalog`` reads it: a folder, or an installed (or
    importable) package. For ``psynapse pack check``."""
    catalog = Catalog()
    with _LOAD_LOCK:
        importlib.invalidate_caches()
        if isinstance(source, Path):
            catalog.add_pack(*_load_folder(source.resolve()))
        else:
            catalog.add_pack(*_load_installed(source, catalog))
    return catalog


def _pack_dirs(root: Path) -> list[Path]:
    return sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))),
        key=lambda p: p.name,
    )


def _load_folder(pack_dir: Path) -> tuple[PackReport, list[NodeSpec]]:
    report = PackReport(name=pack_dir.name, path=str(pack_dir))
    package = fresh_package(pack_dir)
    with sibling_imports(pack_dir):
        specs = _load_files(report, pack_dir, lambda path: exec_file(package, path))
    return report, specs


def _load_installed(pack: packages.InstalledPack, catalog: Catalog) -> tuple[PackReport, list[NodeSpec]]:
    report = PackReport(name=pack.name, path="", source="package", distribution=pack.distribution, version=pack.version)
    where = f"distribution {pack.distribution} {pack.version}"
    holder = next((other for other in catalog.packs if other.name == pack.name), None)
    if holder is not None:
        taken_by = holder.path if holder.source == "folder" else f"distribution {holder.distribution}"
        report.add_error(where, None, f"a pack named {pack.name!r} is already loaded (from {taken_by}); not loaded")
        return report, []
    if pack.problem is not None:
        report.add_error(where, None, pack.problem)
        return report, []
    origin = packages.package_origin(pack.module)
    if origin is None:
        report.add_error(where, None, f"its entry point names {pack.module!r}, which is not an importable package")
        return report, []
    pack_dir = origin.parent
    report.path = str(pack_dir)
    try:
        packages.import_pack(pack.module)
    # As for a folder pack's file: whatever the package raises is the pack's problem.
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - see above
        report.add_error(*import_error(origin, pack_dir, exc))
        return report, []
    if not any((pack_dir / filename).is_file() for filename in PACK_FILES):
        report.add_error(str(origin), None, f"{pack.module} has none of {', '.join(PACK_FILES)}")
        return report, []
    return report, _load_files(report, pack_dir, lambda path: packages.import_file(pack.module, path))


def _load_files(report: PackReport, pack_dir: Path, import_file: Callable[[Path], ModuleType]) -> list[NodeSpec]:
    """The nodes of the pack's files, each imported by ``import_file``."""
    specs: list[NodeSpec] = []
    pack_files = functools.cache(lambda: pack_digest(pack_dir))  # only if a file has no version
    for filename, kind in PACK_FILES.items():
        path = pack_dir / filename
        if not path.is_file():
            continue
        try:
            module = import_file(path)
        # Any failure of user code at import time is the pack's problem
        # and is reported; SystemExit too, or `sys.exit()` in a pack would
        # stop the service.
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - see above
            report.add_error(*import_error(path, pack_dir, exc))
            continue
        found = module_nodes(module, kind, path, report, pack_files)
        check_requirements(module, path, found, report)
        specs.extend(found)
    return specs
