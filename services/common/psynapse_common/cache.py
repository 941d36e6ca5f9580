"""The output cache: a function node's output under a key made of what determines it.

A *content key* hashes the function's code hash (its source and its pack's version,
see ``nodepacks.fingerprint``), its catalog name, and each input value's bytes (a
digest for a long one), sorted by parameter name. Input values are the encoded
bytes the node gets (``Step.inputs``, or an earlier step's output); a reference into
the object store hashes as the value it refers to, so a large value has one key
whether it travelled inline or by reference.

A node whose inputs come from other nodes of its job only gets them as the job runs;
its *lineage key* is known when the job begins: the hash of its code and of where
its inputs come from (values given, upstream nodes' lineage keys). Under the
cache's assumption (a node's output depends only on its code and inputs) a lineage
determines the output as surely as the inputs do, so a whole unchanged chain is
found in one request. Its output is stored under ``l.<lineage key>``; a slow node
is also stored under its content key, which a later run looks up once its real
inputs are known (an input recomputed to the same value: the node need not run).

Entries live in the JetStream KV bucket ``<stream_prefix>_CACHE`` (history 1, a TTL
and a size bound; the oldest entries go first when it is full), so every runner
shares them. The value of an entry is the output's encoded bytes, as the node's
completed event carried them (large parts are object store references; a hit whose
blobs have expired is a miss).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping

import msgspec
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import (
    BadRequestError,
    BucketNotFoundError,
    KeyNotFoundError,
    NotFoundError,
)
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from . import codec
from .blobs import MARKER, names_in

log = structlog.get_logger()


class _NoBatchGets(Exception):
    """The server answered a batched direct get with an error: it predates them."""


# Keys per batched get; one request stays far below a message's size limit.
_BATCH = 1024
_KEY_SALT = b"psynapse-cache/2"
# Lineage entries hold outputs (version 1's held content keys).
_LINEAGE_SALT = b"psynapse-lineage/2"
LINEAGE_PREFIX = "l."
# A bare object store reference is a few dozen bytes; anything longer is a value.
_MAX_REFERENCE_LEN = 256
_SHORT = 32


class _Reference:
    __slots__ = ("name",)

    def __init__(self, payload: bytes) -> None:
        self.name = payload[len(MARKER) :].decode().split(":")[0]


def _reference_hook(code: int, payload: memoryview) -> object:
    return _Reference(bytes(payload)) if code == codec.EXT_BLOB else None


_reference_decoder = msgspec.msgpack.Decoder(ext_hook=_reference_hook)


def value_digest(raw: bytes | msgspec.Raw) -> bytes:
    """The content hash of an encoded value; a blob reference's is its value's."""
    data = bytes(raw)
    if len(data) <= _MAX_REFERENCE_LEN and MARKER in data:
        try:
            decoded = _reference_decoder.decode(data)
        except (msgspec.DecodeError, UnicodeDecodeError):
            decoded = None
        if isinstance(decoded, _Reference):
            # Blob names are the sha256 of the value's bytes (see blobs.offload).
            try:
                return bytes.fromhex(decoded.name)
            except ValueError:
                pass
    return hashlib.sha256(data).digest()


def _part(raw: bytes | msgspec.Raw) -> bytes | msgspec.Raw:
    """What a value adds to a key: a short one itself, a longer one its digest.

    Hashing a short value first would cost more than it saves. No short value can
    look like a digest: 32 bytes as msgpack take more than the limit.
    """
    return raw if len(raw) <= _SHORT else value_digest(raw)


def _hash(salt: bytes, code_hash: str, function: str, parts: list[object]) -> str:
    # MessagePack frames every part, so moving bytes across a boundary changes the hash.
    return hashlib.sha256(salt + msgspec.msgpack.encode([code_hash, function, parts])).hexdigest()


def cache_key(code_hash: str, function: str, inputs: Mapping[str, bytes | msgspec.Raw]) -> str:
    """The cache key of one call: stable, independent of the order inputs are given in."""
    parts: list[object] = []
    for name in sorted(inputs):
        parts += (name, _part(inputs[name]))
    return _hash(_KEY_SALT, code_hash, function, parts)  # 64 hex digits: a valid KV key


def lineage_key(code_hash: str, function: str, sources: Mapping[str, bytes]) -> str:
    """Where a call's inputs come from, hashed: ``sources`` maps each param to the digest
    of its value (known when the job began) or to its upstream node's lineage and output key."""
    parts: list[object] = []
    for name in sorted(sources):
        parts += (name, sources[name])
    return _hash(_LINEAGE_SALT, code_hash, function, parts)


async def open_cache_bucket(js: JetStreamContext, bucket: str, ttl_s: float, max_bytes: int, replicas: int) -> KeyValue:
    """The cache bucket, created or brought to these limits.

    A KV bucket as nats-py makes one, except that a full bucket drops its oldest
    entries (a cache) instead of refusing new ones, and reads are direct gets.
    """
    config = StreamConfig(
        name=f"KV_{bucket}",
        subjects=[f"$KV.{bucket}.>"],
        allow_direct=True,
        allow_rollup_hdrs=True,
        deny_delete=True,
        discard=DiscardPolicy.OLD,
        duplicate_window=min(120.0, ttl_s),
        max_age=ttl_s,
        max_bytes=max_bytes,
        max_msgs_per_subject=1,
        num_replicas=replicas,
        storage=StorageType.FILE,
    )
    try:
        await js.add_stream(config)
    except BadRequestError:
        await js.update_stream(config)
    return await js.key_value(bucket)


class NodeCache:
    """Lookups (batched direct gets) and stores (fire-and-forget puts) of node outputs."""

    def __init__(
        self, nc: Client, js: JetStreamContext, kv: KeyValue, bucket: str, blobs_store: str, timeout: float = 5.0
    ) -> None:
        self._nc = nc
        self._js = js
        self._kv = kv
        self._subject_prefix = f"$KV.{bucket}."
        self._direct_get = f"$JS.API.DIRECT.GET.KV_{bucket}"
        self._blobs_store = blobs_store
        self._blobs: ObjectStore | None = None
        self._timeout = timeout
        self._inbox = ""
        self._counter = 0
        self._batches: dict[str, tuple[dict[str, bytes], asyncio.Future[str]]] = {}
        self._batch_gets = True  # until the server proves it cannot

    async def get_many(self, keys: list[str]) -> list[msgspec.Raw | None]:
        """The cached output of each key, or None (a miss, an expired blob, an error)."""
        if not keys:
            return []
        found: dict[str, bytes] = {}
        try:
            if self._batch_gets:
                for start in range(0, len(keys), _BATCH):
                    found.update(await self._get_batch(keys[start : start + _BATCH]))
        except _NoBatchGets:
            self._batch_gets = False
        except Exception as exc:  # noqa: BLE001 - a cache that cannot answer is a miss
            log.warning("cache.lookup_failed", error=str(exc) or type(exc).__name__)
            return [None] * len(keys)
        if not self._batch_gets:
            values = await asyncio.gather(*(self._get(key) for key in keys))
            found = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
        results: list[msgspec.Raw | None] = []
        for key in keys:
            value = found.get(key)
            if value and MARKER in value and not await self._blobs_exist(names_in(value)):
                value = None
            results.append(msgspec.Raw(value) if value else None)
        return results

    async def _get_batch(self, keys: list[str]) -> dict[str, bytes]:
        """One direct get for many keys (NATS 2.11+): each value, then an end-of-batch status."""
        if not self._inbox:
            self._inbox = self._nc.new_inbox() + "."
            await self._nc.subscribe(self._inbox + "*", cb=self._on_batch_reply)
        self._counter += 1
        token = str(self._counter)
        values: dict[str, bytes] = {}
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._batches[token] = (values, done)
        request = msgspec.json.encode({"multi_last": [self._subject_prefix + key for key in keys], "batch": len(keys)})
        try:
            await self._nc.publish(self._direct_get, request, reply=self._inbox + token)
            status = await asyncio.wait_for(done, self._timeout)
        finally:
            self._batches.pop(token, None)
        if status not in ("204", "404"):  # 204: end of batch; 404: none of them
            raise _NoBatchGets(status)
        return values

    async def _on_batch_reply(self, msg: Msg) -> None:
        entry = self._batches.get(msg.subject[len(self._inbox) :])
        if entry is None:
            return
        values, done = entry
        headers = msg.headers or {}
        status = headers.get("Status")
        if status:
            if not done.done():
                done.set_result(status)
            return
        if headers.get("KV-Operation") in ("DEL", "PURGE"):
            return
        subject = headers.get("Nats-Subject", "")
        values[subject[len(self._subject_prefix) :]] = msg.data

    async def _get(self, key: str) -> bytes | None:
        try:
            entry = await self._kv.get(key, validate_keys=False)
        except KeyNotFoundError:
            return None
        except Exception as exc:  # noqa: BLE001 - a cache that cannot answer is a miss
            log.warning("cache.lookup_failed", error=str(exc) or type(exc).__name__)
            return None
        return entry.value or None

    async def _blobs_exist(self, names: list[str]) -> bool:
        # Blobs age from their first store, so an entry may outlive the blob it names.
        try:
            if self._blobs is None:
                self._blobs = await self._js.object_store(self._blobs_store)
            for name in names:
                await self._blobs.get_info(name)
        except (BucketNotFoundError, NotFoundError):
            return False
        except Exception as exc:  # noqa: BLE001 - unsure means run the node
            log.warning("cache.blob_check_failed", error=str(exc) or type(exc).__name__)
            return False
        return True

    async def put(self, key: str, output: msgspec.Raw) -> None:
        """Store an output, without asking for an ack.

        JetStream stores a plain publish on a stream subject all the same; a store that
        is lost (a disconnect) costs one re-run, so it is not worth an ack message each.
        """
        if len(output) + len(key) + 256 > self._nc.max_payload:
            return  # a message cannot carry it (the node's own event barely could)
        try:
            await self._nc.publish(self._subject_prefix + key, bytes(output))
        except Exception as exc:  # noqa: BLE001 - disconnected: the cache just misses it
            log.warning("cache.store_failed", error=str(exc) or type(exc).__name__)
