"""Import a pack's files afresh, under module names no earlier load used.

A reload must run the code as it is on disk now, so nothing may come from
Python's module cache or from stale bytecode:

- each load makes a new package (`_psynapse_pack_<name>_<path hash>_g<N>`)
  whose `__path__` is the pack folder, and drops the previous generation;
- while a pack loads, a meta path finder serves the pack's helper modules
  from its folder, both `from .helpers import x` and, as if the folder were
  a script's directory, `from helpers import x`.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import itertools
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, ModuleType

# Set on top-level helper modules (`helpers`) a pack imported, so a later
# load may evict them; modules without it (stdlib, site-packages) are never
# touched.
_SIBLING_MARK = "__psynapse_pack_dir__"
_GENERATION = itertools.count(1)


class FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles from source on every load.

    A .pyc is validated by mtime (whole seconds) and size, so an edit that
    keeps the size within the same second would silently run the old code.
    """

    def get_code(self, fullname: str) -> CodeType:
        return self.source_to_code(self.get_data(self.path), self.path)


def fresh_package(pack_dir: Path) -> ModuleType:
    """A new package for this load of `pack_dir`, after dropping the previous one.

    The name carries a hash of the folder path so two nodepacks folders that
    both have a `basic` pack never purge each other's modules.
    """
    ident = re.sub(r"\W", "_", pack_dir.name)
    digest = hashlib.sha1(str(pack_dir).encode()).hexdigest()[:10]
    prefix = f"_psynapse_pack_{ident}_{digest}_g"
    for name in [n for n in list(sys.modules) if n.startswith(prefix)]:
        del sys.modules[name]
    name = f"{prefix}{next(_GENERATION)}"
    spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
    spec.submodule_search_locations = [str(pack_dir)]
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    return package


def exec_file(package: ModuleType, path: Path) -> ModuleType:
    """Run `path` as a submodule of `package`; exceptions from the file propagate."""
    name = f"{package.__name__}.{path.stem}"
    loader = FreshSourceLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None  # a loader was given: there is always a spec
    module = importlib.util.module_from_spec(spec)
    # Registered before exec: dataclasses and pickle look the module up by name.
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    setattr(package, path.stem, module)
    return module


@contextmanager
def sibling_imports(pack_dir: Path) -> Iterator[None]:
    """Let the pack's files import helper modules that sit next to them.

    Not thread-safe (it edits sys.meta_path); the caller holds a lock.
    """
    _evict_siblings(pack_dir)
    finder = _SiblingFinder(pack_dir)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in finder.plain_names:
            module = sys.modules.get(name)
            if module is not None:
                module.__dict__[_SIBLING_MARK] = str(pack_dir)


class _SiblingFinder(importlib.abc.MetaPathFinder):
    def __init__(self, pack_dir: Path):
        self.pack_dir = pack_dir
        self.plain_names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        # path is None for a top-level name: look in the pack folder first,
        # as Python does for a script's directory. Otherwise only answer for
        # submodules of packages that live inside the pack folder.
        search = [str(self.pack_dir)] if path is None else [p for p in path if _inside(p, self.pack_dir)]
        if not search:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, search)
        # A bare folder (namespace package) must not shadow an installed
        # package of the same name, so those are left to the normal finders.
        if spec is None or not spec.has_location:
            return None
        if isinstance(spec.loader, importlib.machinery.SourceFileLoader) and spec.origin is not None:
            spec.loader = FreshSourceLoader(fullname, spec.origin)
        if not fullname.startswith("_psynapse_pack_"):
            self.plain_names.append(fullname)
        return spec


def _evict_siblings(pack_dir: Path) -> None:
    """Forget helper modules an earlier load imported under names this pack uses.

    Covers this pack's own previous load (edited helpers) and another pack
    that has a helper of the same name (which would otherwise be reused).
    """
    local = {p.stem for p in pack_dir.glob("*.py")} | {p.name for p in pack_dir.iterdir() if p.is_dir()}
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] in local and _SIBLING_MARK in getattr(module, "__dict__", {}):
            del sys.modules[name]


def _inside(path: str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder)
