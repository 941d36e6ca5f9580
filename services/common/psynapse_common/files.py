"""Uploaded files: the reference a node's input holds, and the local file a runner makes of it.

``POST /files`` puts a file's bytes in the PSY_BLOBS object store under their SHA-256 and
answers a reference, ``{"psynapse_file": "<sha256>", "name": "data.csv", "size": 1234}``,
which the editor keeps as the value of a ``Path`` input. In a job the reference travels as
a value extension (see ``codec``); the runner fetches the bytes with the job's other blobs
and writes them once per content to ``<temp>/psynapse-files/<sha256>/<name>`` (read-only,
since later runs share it), and the node gets that ``Path``.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import msgspec

KEY = "psynapse_file"
MARKER = b"psyfile:"
_NAME = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = re.compile(r"[^\w.\- ]+")
_FOLDER = "psynapse-files"


class FileRef(msgspec.Struct, frozen=True):
    """An uploaded file: its content hash (its name in the object store), file name and size."""

    psynapse_file: str
    name: str
    size: int

    def jsonable(self) -> dict[str, Any]:
        return {KEY: self.psynapse_file, "name": self.name, "size": self.size}


def as_ref(value: Any) -> FileRef | None:
    """The reference ``value`` is, when it is exactly one (as ``POST /files`` answered), else None."""
    if not isinstance(value, dict) or set(value) != {KEY, "name", "size"}:
        return None
    name, filename, size = value[KEY], value["name"], value["size"]
    if not (isinstance(name, str) and _NAME.match(name) and isinstance(filename, str)):
        return None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return None
    return FileRef(psynapse_file=name, name=filename, size=size)


def safe_name(filename: str) -> str:
    """The file name a runner writes: its last part, without characters a path could misuse."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    return cleaned[:200] or "upload"


def encode_ref(ref: FileRef) -> bytes:
    return MARKER + msgspec.msgpack.encode([ref.psynapse_file, ref.name, ref.size])


def decode_ref(payload: bytes) -> FileRef:
    name, filename, size = msgspec.msgpack.decode(payload[len(MARKER) :])
    return FileRef(psynapse_file=name, name=filename, size=size)


def root() -> Path:
    return Path(tempfile.gettempdir()) / _FOLDER


def materialize(ref: FileRef, data: bytes, under: Path | None = None) -> Path:
    """The local file holding ``data``: written once per content, then shared (read-only)."""
    folder = (under or root()) / ref.psynapse_file
    path = folder / safe_name(ref.name)
    if path.is_file() and path.stat().st_size == len(data):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    # Written aside, then renamed: a node on another thread never sees half a file.
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o444)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path
