"""Saved workflows: the KV bucket PSY_WORKFLOWS, whose history is each one's versions.

A key is a workflow's name; each save is a new revision of it. Version n is the
n-th value of the key still in the bucket's history (oldest first), counted after
its last delete: a deleted workflow that is saved again starts at version 1. The
gateway saves and lists through this; the planner (gateway and orchestrator) reads
the workflows a run's subgraphs, maps and loops name.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import msgspec
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import KeyNotFoundError, NotFoundError
from nats.js.kv import KeyValue

from .graph import Workflow, WorkflowRef
from .nats_io import ensure_kv
from .scan import scan
from .subgraphs import workflow_from_saved
from .subjects import Names, check_workflow_name

# Revisions kept per key: the most NATS allows.
HISTORY = 64
_DELETED = {"DEL", "PURGE"}


class Version(NamedTuple):
    number: int
    revision: int
    at: dt.datetime


def is_deletion(headers: dict[str, str] | None) -> bool:
    if not headers:
        return False
    if headers.get("KV-Operation") in _DELETED:
        return True
    # nats-server 2.11+ writes its own markers (a key's max age, a purge) this way.
    return headers.get("Nats-Marker-Reason") in ("MaxAge", "Purge", "Remove")


class SavedWorkflows:
    def __init__(self, js: JetStreamContext, names: Names, replicas: int) -> None:
        self.js = js
        self.bucket = names.workflows_bucket
        self.stream = f"KV_{self.bucket}"
        self._replicas = replicas
        self._kv: KeyValue | None = None

    async def bucket_handle(self) -> KeyValue:
        if self._kv is None:
            self._kv = await ensure_kv(
                self.js,
                KeyValueConfig(bucket=self.bucket, history=HISTORY, storage=StorageType.FILE, replicas=self._replicas),
            )
        return self._kv

    def subject(self, name: str) -> str:
        return f"$KV.{self.bucket}.{check_workflow_name(name)}"

    async def versions(self, name: str) -> list[Version]:
        """The workflow's versions, oldest first (empty when there is none)."""
        revisions: list[tuple[int, dt.datetime]] = []
        await self.bucket_handle()
        async for msg in scan(self.js, self.stream, self.subject(name), headers_only=True):
            if is_deletion(msg.headers):
                revisions.clear()
            else:
                revisions.append((msg.metadata.sequence.stream, msg.metadata.timestamp))
        return [Version(n, rev, at) for n, (rev, at) in enumerate(revisions, start=1)]

    async def content(self, name: str, revision: int) -> bytes | None:
        """A saved revision's JSON, or None once it is deleted or out of the history."""
        try:
            entry = await (await self.bucket_handle()).get(name, revision=revision)
        except KeyNotFoundError:
            return None
        return entry.value or b"{}"

    async def load(self, ref: WorkflowRef, as_of: float | None = None) -> Workflow | None:
        """The workflow a node names: its pinned version, else the latest saved by
        ``as_of`` (a run's submit time, so a resumed run copies what it first copied)."""
        try:
            check_workflow_name(ref.name)
        except ValueError:
            return None  # not a name a workflow can have
        moment = dt.datetime.fromtimestamp(as_of, dt.UTC) if as_of else None
        if ref.version is None:
            # The common case in one request: the latest is older than the run.
            latest = await self._latest(ref.name)
            if latest is None:
                return None
            at, body = latest
            if moment is None or at <= moment:
                return workflow_from_saved(ref.name, None, msgspec.json.decode(body))
        versions = await self.versions(ref.name)
        if ref.version is not None:
            chosen = versions[ref.version - 1] if ref.version <= len(versions) else None
        else:
            fitting = [v for v in versions if moment is None or v.at <= moment]
            chosen = fitting[-1] if fitting else (versions[-1] if versions else None)
        if chosen is None:
            return None
        saved = await self.content(ref.name, chosen.revision)
        if saved is None:
            return None
        return workflow_from_saved(ref.name, chosen.number, msgspec.json.decode(saved))

    async def _latest(self, name: str) -> tuple[dt.datetime, bytes] | None:
        """When the newest version was saved, and its JSON; None when there is none."""
        await self.bucket_handle()
        try:
            msg = await self.js.get_msg(self.stream, subject=self.subject(name))
        except NotFoundError:
            return None
        if is_deletion(msg.headers) or msg.time is None:
            return None
        return msg.time, msg.data or b"{}"
