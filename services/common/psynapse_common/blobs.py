"""Large values travel as references into the PSY_BLOBS object store.

A NATS message is small (1 MB by default); an image or an array is not. A value
whose encoding exceeds the inline limit is stored once, under its content hash,
and a small reference takes its place in jobs and events. Runners fetch referenced
inputs before they decode; the gateway fetches them before showing a value.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from msgspec.msgpack import Ext
from nats.js import JetStreamContext
from nats.js.api import ObjectStoreConfig, StorageType
from nats.js.errors import BucketNotFoundError, NotFoundError
from nats.js.object_store import ObjectStore

from . import codec, files

MARKER = b"psyblob:"


def reference(name: str, size: int) -> msgspec.Raw:
    return msgspec.Raw(msgspec.msgpack.encode(Ext(codec.EXT_BLOB, MARKER + f"{name}:{size}".encode())))


def referenced(raw: bytes | msgspec.Raw) -> str | None:
    """The blob a value is, when the whole value is a reference, else None."""
    data = bytes(raw)
    if MARKER not in data[:16]:
        return None
    value = msgspec.msgpack.decode(data, ext_hook=lambda code, payload: Ext(code, bytes(payload)))
    if isinstance(value, Ext) and value.code == codec.EXT_BLOB:
        return bytes(value.data)[len(MARKER) :].decode().split(":")[0]
    return None


def _names_in(raw: bytes | msgspec.Raw) -> list[str]:
    data = bytes(raw)
    if MARKER not in data:
        return []
    found: list[str] = []

    def collect(code: int, payload: memoryview) -> Any:
        if code == codec.EXT_BLOB:
            found.append(bytes(payload)[len(MARKER) :].decode().split(":")[0])
        return None

    msgspec.msgpack.Decoder(ext_hook=collect).decode(data)
    return found


def names_in(raw: bytes | msgspec.Raw) -> list[str]:
    """The names of the blobs an encoded value refers to."""
    return _names_in(raw)


def files_in(raw: bytes | msgspec.Raw) -> list[files.FileRef]:
    """The uploaded files an encoded value refers to (a node's input given in the graph)."""
    data = bytes(raw)
    if files.MARKER not in data:
        return []
    found: list[files.FileRef] = []

    def collect(code: int, payload: memoryview) -> Any:
        if code == codec.EXT_FILE:
            found.append(files.decode_ref(bytes(payload)))
        return None

    msgspec.msgpack.Decoder(ext_hook=collect).decode(data)
    return found


class Blobs:
    def __init__(self, store: ObjectStore, inline_limit: int) -> None:
        self._store = store
        self.inline_limit = inline_limit

    async def offload(self, raw: msgspec.Raw, limit: int | None = None) -> msgspec.Raw:
        """``raw`` itself when small (``limit``, default the inline limit), else a reference to it."""
        if len(raw) <= (self.inline_limit if limit is None else limit):
            return raw
        data = bytes(raw)
        name = hashlib.sha256(data).hexdigest()
        try:
            await self._store.get_info(name)
        except NotFoundError:
            await self._store.put(name, data)
        return reference(name, len(data))

    async def whole(self, raw: msgspec.Raw) -> msgspec.Raw:
        """A value itself: fetched from the store when ``raw`` is a reference to it."""
        name = referenced(raw)
        if name is None:
            return raw
        return msgspec.Raw((await self._store.get(name)).data or b"")

    async def fetch(self, raws: list[bytes | msgspec.Raw], with_files: bool = False) -> dict[str, bytes]:
        """The contents of every blob the values refer to, by name; ``with_files``: also of
        every uploaded file they refer to (a runner's, which hands them over; one gone from
        the store is left out, and the node it was for fails saying so)."""
        contents: dict[str, bytes] = {}
        for raw in raws:
            for name in _names_in(raw):
                if name not in contents:
                    contents[name] = (await self._store.get(name)).data or b""
            for ref in files_in(raw) if with_files else ():
                if ref.psynapse_file not in contents:
                    try:
                        contents[ref.psynapse_file] = (await self._store.get(ref.psynapse_file)).data or b""
                    except NotFoundError:
                        continue
        return contents

    async def put_file(self, data: bytes, filename: str) -> files.FileRef:
        """Keep an uploaded file (once per content); its reference."""
        name = hashlib.sha256(data).hexdigest()
        try:
            await self._store.get_info(name)
        except NotFoundError:
            await self._store.put(name, data)
        return files.FileRef(psynapse_file=name, name=filename, size=len(data))


async def open_object_store(js: JetStreamContext, bucket: str, ttl: float, replicas: int) -> ObjectStore:
    """The object store, created if missing (part of declaring the backbone, which waits out elections)."""
    try:
        return await js.object_store(bucket)
    except (BucketNotFoundError, NotFoundError):
        return await js.create_object_store(
            bucket, ObjectStoreConfig(ttl=ttl, storage=StorageType.FILE, replicas=replicas)
        )
