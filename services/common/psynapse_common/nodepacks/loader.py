"""Scan a nodepacks folder, import every pack afresh, and build the Catalog.

Each call imports the files again under new module names, so edited code is
picked up; the caller decides when to reload. A pack that fails to import
is reported, never raised: the other packs still load.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib
import importlib.util
import inspect
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from psynapse.sdk import CACHE_ATTR, DEFAULT_POOL, POOL_ATTR, RETRY_ATTR, TIMEOUT_ATTR, retry_policy, timeout_seconds

from ..subjects import InvalidSubjectToken, check_token
from .fingerprint import code_hash, pack_digest
from .importer import exec_file, fresh_package, sibling_imports
from .introspect import NodeKind, introspect, is_node_class

# File name -> the kind of node its public members become, in listing order.
PACK_FILES: dict[str, NodeKind] = {"ops.py": "function", "progress_ops.py": "progress", "stream_ops.py": "stream"}

# Loads swap entries in sys.modules and sys.meta_path, which are process-wide.
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class NodeSpec:
    name: str
    kind: NodeKind
    target: Any
    schema: dict[str, Any]
    pack: str
    pool: str
    param_types: dict[str, Any]
    output_keys: tuple[str, ...] | None
    cacheable: bool
    # Source and pack version: outputs cached under another code hash are stale.
    code_hash: str = ""
    # Its retry policy (``sdk.retry_policy``'s dict) and timeout: its decorators', else its file's.
    retry: dict[str, Any] | None = None
    timeout_s: float | None = None


@dataclass
class PackReport:
    name: str
    path: str
    status: Literal["ok", "error"] = "ok"
    errors: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    # Packages a file declares it needs (PSYNAPSE_REQUIRES) that are not installed:
    # its nodes load, but would fail when they run. {"module", "install", "file", "nodes"}.
    missing: list[dict[str, Any]] = field(default_factory=list)

    def add_error(self, file: str, line: int | None, message: str) -> None:
        self.errors.append({"file": file, "line": line, "message": message})
        self.status = "error"


@dataclass
class Catalog:
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    packs: list[PackReport] = field(default_factory=list)
    clashes: list[dict[str, Any]] = field(default_factory=list)

    def schemas(self) -> list[dict[str, Any]]:
        # Copies, so a caller decorating a schema cannot change the catalog.
        return [copy.deepcopy(spec.schema) for spec in self.nodes.values()]

    def pack_reports(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(report) for report in self.packs]


def load_catalog(nodepacks_dir: str | Path) -> Catalog:
    root = Path(nodepacks_dir).resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"nodepacks directory not found: {root}")
    catalog = Catalog()
    with _LOAD_LOCK:
        # Directory listings are cached by the import system; a file added
        # since the last load must be seen.
        importlib.invalidate_caches()
        for pack_dir in _pack_dirs(root):
            report, specs = _load_pack(pack_dir)
            _list_nodes(catalog, report, specs)
    return catalog


def _pack_dirs(root: Path) -> list[Path]:
    return sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))),
        key=lambda p: p.name,
    )


def _load_pack(pack_dir: Path) -> tuple[PackReport, list[NodeSpec]]:
    report = PackReport(name=pack_dir.name, path=str(pack_dir))
    specs: list[NodeSpec] = []
    package = fresh_package(pack_dir)
    pack_files = functools.cache(lambda: pack_digest(pack_dir))  # only if a file has no version
    with sibling_imports(pack_dir):
        for filename, kind in PACK_FILES.items():
            path = pack_dir / filename
            if not path.is_file():
                continue
            try:
                module = exec_file(package, path)
            # Any failure of user code at import time is the pack's problem
            # and is reported; SystemExit too, or `sys.exit()` in a pack would
            # stop the service.
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - see above
                report.add_error(*_import_error(path, pack_dir, exc))
                continue
            found = _module_nodes(module, kind, path, report, pack_files)
            _check_requirements(module, path, found, report)
            specs.extend(found)
    return report, specs


def _check_requirements(module: ModuleType, path: Path, specs: list[NodeSpec], report: PackReport) -> None:
    """Note the packages the file says its nodes need (``PSYNAPSE_REQUIRES``) that are not installed.

    ``PSYNAPSE_REQUIRES = {"openai": "pip install 'psynapse[llm]'"}`` maps a module to
    the command that installs it (a list of module names says ``pip install <name>``).
    A pack that imports its dependency only inside its nodes loads without it, so
    without this the editor would offer nodes that can only fail.
    """
    declared = getattr(module, "PSYNAPSE_REQUIRES", None)
    if declared is None:
        return
    if isinstance(declared, (list, tuple)):
        declared = {name: f"pip install {name}" for name in declared}
    if not isinstance(declared, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in declared.items()
    ):
        report.add_error(
            str(path),
            None,
            'PSYNAPSE_REQUIRES must map module names to install commands, e.g. {"openai": "pip install openai"}',
        )
        return
    for name, install in declared.items():
        if not _installed(name):
            report.missing.append(
                {"module": name, "install": install, "file": str(path), "nodes": [spec.name for spec in specs]}
            )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a dotted name whose parent is missing, or an empty one
        return False


def _import_error(path: Path, pack_dir: Path, exc: BaseException) -> tuple[str, int | None, str]:
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename).is_relative_to(pack_dir):
        # Point at the broken file itself, even when it is a helper ops.py imports.
        return exc.filename, exc.lineno, f"{kind}: {exc.msg}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    detail = str(exc)
    return str(path), frames[-1].lineno if frames else None, f"{kind}: {detail}" if detail else kind


def _module_nodes(
    module: ModuleType, kind: NodeKind, path: Path, report: PackReport, pack_files: Callable[[], str]
) -> list[NodeSpec]:
    pool = getattr(module, "PSYNAPSE_POOL", DEFAULT_POOL)
    if not _valid_pool(pool):
        report.add_error(str(path), None, f"PSYNAPSE_POOL must be {_POOL_RULE}, got {pool!r}")
        pool = DEFAULT_POOL
    cacheable = bool(getattr(module, "PSYNAPSE_CACHE", True))
    module_retry, module_timeout = _module_policies(module, path, report)
    specs = []
    for attr, obj in list(vars(module).items()):
        if not _is_node(attr, obj, module, kind):
            continue
        try:
            info = introspect(obj, kind, name=attr, filepath=str(path), nodepack=report.name)
        except (ValueError, TypeError) as exc:
            report.add_error(str(path), _def_line(obj), f"cannot read the signature of {attr}: {exc}")
            continue
        node_pool = _node_pool(obj, pool, attr, path, report)
        schema = info.schema if node_pool == DEFAULT_POOL else {**info.schema, "pool": node_pool}
        retry = getattr(obj, RETRY_ATTR, None) or module_retry
        timeout = getattr(obj, TIMEOUT_ATTR, None) or module_timeout
        if retry is not None:
            schema = {**schema, "retry": retry}
        if timeout is not None:
            schema = {**schema, "timeout_s": timeout}
        specs.append(
            NodeSpec(
                name=attr,
                kind=kind,
                target=obj,
                schema=schema,
                pack=report.name,
                pool=node_pool,
                param_types=info.param_types,
                output_keys=info.output_keys,
                cacheable=cacheable and getattr(obj, CACHE_ATTR, True) is not False,
                code_hash=code_hash(obj, module, path, pack_files),
                retry=retry,
                timeout_s=timeout,
            )
        )
    return specs


def _module_policies(module: ModuleType, path: Path, report: PackReport) -> tuple[dict[str, Any] | None, float | None]:
    """A file's ``PSYNAPSE_RETRY`` (``@retry``'s arguments as a dict) and ``PSYNAPSE_TIMEOUT_S``."""
    retry, timeout = getattr(module, "PSYNAPSE_RETRY", None), getattr(module, "PSYNAPSE_TIMEOUT_S", None)
    if retry is not None:
        try:
            if not isinstance(retry, dict):
                raise ValueError(f"it must be a dict of @retry's arguments, got {type(retry).__name__}")
            retry = retry_policy(**retry)
        except (TypeError, ValueError) as exc:
            report.add_error(str(path), None, f"PSYNAPSE_RETRY: {exc}")
            retry = None
    if timeout is not None:
        try:
            timeout = timeout_seconds(timeout)
        except ValueError as exc:
            report.add_error(str(path), None, f"PSYNAPSE_TIMEOUT_S: {exc}")
            timeout = None
    return retry, timeout


_POOL_RULE = "1-128 letters, digits, '-' or '_'"


def _valid_pool(value: Any) -> bool:
    try:
        check_token(value, "pool")
    except InvalidSubjectToken:
        return False
    return True


def _node_pool(obj: Any, module_pool: str, attr: str, path: Path, report: PackReport) -> str:
    """The `@pool(...)` of a node, else its file's PSYNAPSE_POOL."""
    marked = getattr(obj, POOL_ATTR, None)
    if marked is None:
        return module_pool
    if not _valid_pool(marked):  # set by hand, not through the decorator
        report.add_error(str(path), _def_line(obj), f"the pool of {attr} must be {_POOL_RULE}, got {marked!r}")
        return module_pool
    return str(marked)


def _is_node(attr: str, obj: Any, module: ModuleType, kind: NodeKind) -> bool:
    # Defined here (not imported), public, and not an alias of another name.
    if attr.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
        return False
    if getattr(obj, "__name__", None) != attr:
        return False
    if kind == "function":
        return inspect.isfunction(obj)
    return inspect.isclass(obj) and is_node_class(obj)


def _def_line(obj: Any) -> int | None:
    code = getattr(obj, "__code__", None)
    return code.co_firstlineno if code else None


def _list_nodes(catalog: Catalog, report: PackReport, specs: list[NodeSpec]) -> None:
    """Add a pack's nodes; a name another pack already holds is listed as `pack.name`."""
    for spec in specs:
        holder = catalog.nodes.get(spec.name)
        listed = spec.name if holder is None else f"{spec.pack}.{spec.name}"
        if (holder is not None and holder.pack == spec.pack) or listed in catalog.nodes:
            report.add_error(
                spec.schema["filepath"],
                _def_line(spec.target),
                f"node {spec.name!r} is defined twice in this pack; only the first is listed",
            )
            continue
        if holder is not None:
            _record_clash(catalog, spec.name, holder.pack, spec.pack, listed)
            spec = dataclasses.replace(spec, name=listed, schema={**spec.schema, "name": listed})
        catalog.nodes[listed] = spec
        report.nodes.append(listed)
    catalog.packs.append(report)


def _record_clash(catalog: Catalog, name: str, holder_pack: str, pack: str, listed: str) -> None:
    clash = next((c for c in catalog.clashes if c["name"] == name), None)
    if clash is None:
        clash = {"name": name, "packs": [holder_pack], "listed_as": [name]}
        catalog.clashes.append(clash)
    clash["packs"].append(pack)
    clash["listed_as"].append(listed)
