"""A node's code hash: what its cached outputs are valid for.

The hash covers the node's own source (``inspect.getsource``; the whole file when
the source cannot be found) and its pack's version: a module-level
``PSYNAPSE_VERSION`` or ``__version__`` when the file declares one, else a hash of
every file of the pack, so an edit to a helper module the node imports invalidates
its entries too. Declaring a version is a promise that the pack's helpers and data
behave the same until it changes.
"""

from __future__ import annotations

import hashlib
import inspect
import linecache
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

# Files larger than this count by size and modification time, not content (model
# weights, datasets): hashing them on every reload would cost more than it saves.
_CONTENT_LIMIT = 4 * 1024 * 1024


def pack_digest(pack_dir: Path) -> str:
    hasher = hashlib.sha256()
    files = sorted(
        path
        for path in pack_dir.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(pack_dir).parts)
    )
    for path in files:
        try:
            stat = path.stat()
            body = (
                path.read_bytes() if stat.st_size <= _CONTENT_LIMIT else f"{stat.st_size}:{stat.st_mtime_ns}".encode()
            )
        except OSError:
            continue
        hasher.update(str(path.relative_to(pack_dir)).encode() + b"\0")
        hasher.update(len(body).to_bytes(8, "big") + body)
    return hasher.hexdigest()


def pack_version(module: ModuleType) -> str | None:
    for attr in ("PSYNAPSE_VERSION", "__version__"):
        value = getattr(module, attr, None)
        if value is not None:
            return str(value)
    return None


def code_hash(target: Any, module: ModuleType, path: Path, pack_files: Callable[[], str]) -> str:
    """The code hash of one node; ``pack_files()`` gives its pack's ``pack_digest``."""
    try:
        linecache.checkcache(str(path))  # the file was just loaded afresh; so must its lines
        source = inspect.getsource(target).encode()
    except (OSError, TypeError):
        source = path.read_bytes()
    version = pack_version(module)
    pack = f"version:{version}" if version is not None else f"files:{pack_files()}"
    hasher = hashlib.sha256(source)
    hasher.update(b"\0" + pack.encode())
    return hasher.hexdigest()
