"""The nodes one imported pack file defines, with what its module-level settings say."""

from __future__ import annotations

import importlib.util
import inspect
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from psynapse.sdk import CACHE_ATTR, DEFAULT_POOL, POOL_ATTR, RETRY_ATTR, TIMEOUT_ATTR, retry_policy, timeout_seconds

from ..invoke import is_awaited
from ..subjects import InvalidSubjectToken, check_token
from .catalog import NodeSpec, PackReport, def_line
from .fingerprint import code_hash
from .introspect import NodeKind, introspect, is_node_class


def module_nodes(
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
        # An async generator function streams its items, whichever file holds it.
        node_kind: NodeKind = "stream" if inspect.isasyncgenfunction(obj) else kind
        try:
            info = introspect(obj, node_kind, name=attr, filepath=str(path), nodepack=report.name)
        except (ValueError, TypeError) as exc:
            report.add_error(str(path), def_line(obj), f"cannot read the signature of {attr}: {exc}")
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
                kind=node_kind,
                target=obj,
                schema=schema,
                pack=report.name,
                pool=node_pool,
                param_types=info.param_types,
                output_keys=info.output_keys,
                cacheable=cacheable and getattr(obj, CACHE_ATTR, True) is not False,
                code_hash=code_hash(obj, module, path, pack_files),
                awaited=is_awaited(obj),
                rules=info.rules,
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


def check_requirements(module: ModuleType, path: Path, specs: list[NodeSpec], report: PackReport) -> None:
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
    # The pool whose environment lacks it: the file's (a node's own @pool may differ; the
    # schema service names each pool that serves from its own environment).
    pool = specs[0].pool if len({spec.pool for spec in specs}) == 1 else getattr(module, "PSYNAPSE_POOL", DEFAULT_POOL)
    for name, install in declared.items():
        if not _installed(name):
            report.missing.append(
                {
                    "module": name,
                    "install": install,
                    "file": str(path),
                    "nodes": [spec.name for spec in specs],
                    "pool": str(pool),
                }
            )


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a dotted name whose parent is missing, or an empty one
        return False


def import_error(path: Path, pack_dir: Path, exc: BaseException) -> tuple[str, int | None, str]:
    """Where importing ``path`` failed, as (file, line, message)."""
    kind = type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename).is_relative_to(pack_dir):
        # Point at the broken file itself, even when it is a helper ops.py imports.
        return exc.filename, exc.lineno, f"{kind}: {exc.msg}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    detail = str(exc)
    return str(path), frames[-1].lineno if frames else None, f"{kind}: {detail}" if detail else kind


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
        report.add_error(str(path), def_line(obj), f"the pool of {attr} must be {_POOL_RULE}, got {marked!r}")
        return module_pool
    return str(marked)


def _is_node(attr: str, obj: Any, module: ModuleType, kind: NodeKind) -> bool:
    # Defined here (not imported), public, and not an alias of another name.
    if attr.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
        return False
    if getattr(obj, "__name__", None) != attr:
        return False
    if kind == "function" or inspect.isasyncgenfunction(obj):
        return inspect.isfunction(obj)
    return inspect.isclass(obj) and is_node_class(obj)
