"""Loading the nodepacks once per change and publishing the result to KV."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import msgspec
import structlog
import watchfiles
from nats.js.kv import KeyValue

from psynapse_common.messages import CatalogNode, CatalogSnapshot, encode
from psynapse_common.nodepacks import Catalog, load_catalog

log = structlog.get_logger()


def snapshot_of(catalog: Catalog, revision: int) -> CatalogSnapshot:
    return CatalogSnapshot(
        revision=revision,
        schemas=catalog.schemas(),
        packs=catalog.pack_reports(),
        clashes=catalog.clashes,
        nodes={
            name: CatalogNode(
                name=name,
                kind=spec.kind,
                pack=spec.pack,
                pool=spec.pool,
                params=[p["name"] for p in spec.schema["params"]],
                output_keys=list(spec.output_keys) if spec.output_keys else None,
                cacheable=spec.cacheable,
                code_hash=spec.code_hash,
            )
            for name, spec in catalog.nodes.items()
        },
    )


class CatalogPublisher:
    """Holds the current catalog, its JSON answers, and keeps KV in step with disk."""

    def __init__(self, nodepacks_dir: Path, kv: KeyValue, key: str) -> None:
        self._dir = nodepacks_dir
        self._kv = kv
        self._key = key
        self.snapshot: CatalogSnapshot | None = None
        self.schema_json = b"[]"
        self.nodepacks_json = b'{"packs": [], "clashes": []}'
        self._task: asyncio.Task[None] | None = None

    def _fingerprint(self) -> list[tuple[str, int, int]]:
        files = []
        for path in self._dir.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            files.append((str(path), stat.st_mtime_ns, stat.st_size))
        return sorted(files)

    async def reload(self) -> None:
        # Files that change while a load runs (a new pack written right after another
        # edit, before the watcher watches its folder) trigger one more load.
        while True:
            before = await asyncio.to_thread(self._fingerprint)
            await self._load_and_publish()
            if await asyncio.to_thread(self._fingerprint) == before:
                return

    async def _load_and_publish(self) -> None:
        started = time.perf_counter()
        catalog = await asyncio.to_thread(load_catalog, self._dir)
        revision = (self.snapshot.revision + 1) if self.snapshot else 1
        snapshot = snapshot_of(catalog, revision)
        # Answers are encoded once per change, never per request.
        self.schema_json = msgspec.json.encode(snapshot.schemas)
        self.nodepacks_json = msgspec.json.encode({"packs": snapshot.packs, "clashes": snapshot.clashes})
        self.snapshot = snapshot
        await self._kv.put(self._key, encode(snapshot))
        log.info(
            "catalog.published",
            revision=revision,
            nodes=len(snapshot.nodes),
            failed_packs=[p["name"] for p in snapshot.packs if p["status"] != "ok"],
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    async def start_watching(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        def python_files(change: watchfiles.Change, path: str) -> bool:
            # Folders count too: a new pack folder is a change before its files are.
            return "__pycache__" not in path and not path.endswith((".pyc", ".pyo", "~"))

        self._dir.mkdir(parents=True, exist_ok=True)
        async for changes in watchfiles.awatch(
            self._dir, watch_filter=python_files, debounce=100, step=20, recursive=True
        ):
            log.info("catalog.files_changed", files=sorted({p for _, p in changes})[:20])
            try:
                await self.reload()
            except Exception:
                log.exception("catalog.reload_failed")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
