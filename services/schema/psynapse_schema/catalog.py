"""Loading the nodepacks once per change and publishing the result to KV."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import msgspec
import structlog
import watchfiles
from nats.aio.msg import Msg
from nats.js.kv import KeyValue

from psynapse_common.kv_follow import follow
from psynapse_common.messages import CatalogSnapshot, PoolCatalog, beat_decoder, encode, pool_catalog_decoder
from psynapse_common.nodepacks import Catalog, load_catalog, packages
from psynapse_common.pool_catalog import catalog_node

from .pools import merge

log = structlog.get_logger()

# A runner whose beats stopped for a few of their intervals is gone (as the gateway's /health).
# Pools are first said to have no runner this long after this service started watching:
# runners started with it have beaten by then (no catalog flapping while a stack starts).
_STALE_S = 7.5
_GONE = ("DEL", "PURGE")


def snapshot_of(catalog: Catalog, revision: int) -> CatalogSnapshot:
    return CatalogSnapshot(
        revision=revision,
        schemas=catalog.schemas(),
        packs=catalog.pack_reports(),
        clashes=catalog.clashes,
        nodes={name: catalog_node(name, spec) for name, spec in catalog.nodes.items()},
    )


class CatalogPublisher:
    """Holds the current catalog, its JSON answers, and keeps KV in step with the code.

    The code is the nodepacks folder and the packs installed in this environment: the
    folder (and an editable install's source folder) is watched recursively for
    edits; the folders on ``sys.path`` are watched for distributions coming and going.
    What is published merges in the pools that run in environments of their own (see
    ``pools``), and says which pools no runner takes: it follows both.
    """

    def __init__(
        self, nodepacks_dir: Path, kv: KeyValue, key: str, pool_catalogs: str = "", services: KeyValue | None = None
    ) -> None:
        self._dir = nodepacks_dir
        self._kv = kv
        self._key = key
        self._pool_catalogs = pool_catalogs
        self._services = services
        self.snapshot: CatalogSnapshot | None = None
        self._local: CatalogSnapshot | None = None
        self._views: dict[str, PoolCatalog] = {}
        self._beats: dict[str, tuple[str, float]] = {}  # beat key -> (pool, when)
        self._live_pools: set[str] | None = None  # None: not known yet
        self._beats_read = False
        self._publishing = asyncio.Lock()
        self._spawned: set[asyncio.Future[None]] = set()
        # When the code published was loaded (ns): its catalog's code_load, unique across
        # restarts (a restarted service may find other code than its runners loaded).
        self._loaded_at = 0
        self.schema_json = b"[]"
        self.nodepacks_json = b'{"packs": [], "clashes": []}'
        self._site_dirs = packages.site_dirs()
        # The folders whose edits count: the nodepacks folder, and the source folders
        # of installed packs that live outside every site folder (editable installs).
        self._code_dirs = [nodepacks_dir]
        self._rewatch = asyncio.Event()
        self._reloading = asyncio.Lock()
        self._tasks: list[asyncio.Task[None]] = []

    def _fingerprint(self) -> tuple[list[tuple[str, int, int]], list[tuple[str, int]]]:
        files = []
        for folder in self._code_dirs:
            for path in folder.rglob("*.py"):
                if "__pycache__" in path.parts:
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                files.append((str(path), stat.st_mtime_ns, stat.st_size))
        return sorted(files), packages.installed_state(self._site_dirs)

    async def reload(self) -> CatalogSnapshot:
        """Load the code again and publish it; the snapshot published."""
        async with self._reloading:
            # Files that change while a load runs (a new pack written right after another
            # edit, before the watcher watches its folder; a distribution pip is still
            # writing) trigger one more load.
            while True:
                before = await asyncio.to_thread(self._fingerprint)
                snapshot = await self._load_and_publish()
                if await asyncio.to_thread(self._fingerprint) == before:
                    return snapshot

    async def _load_and_publish(self) -> CatalogSnapshot:
        started = time.perf_counter()
        catalog = await asyncio.to_thread(load_catalog, self._dir)
        self._local = snapshot_of(catalog, 0)
        self._loaded_at = time.time_ns()
        snapshot = await self._publish(always=True)
        self._follow_sources(catalog)
        log.info(
            "catalog.published",
            revision=snapshot.revision,
            nodes=len(snapshot.nodes),
            installed_packs=[p.name for p in catalog.packs if p.source == "package"],
            failed_packs=[p["name"] for p in snapshot.packs if p["status"] != "ok"],
            pool_environments=sorted(self._views),
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return snapshot

    async def _publish(self, always: bool = False) -> CatalogSnapshot:
        """Merge and put the catalog: always after a load; otherwise only when it changed."""
        async with self._publishing:
            assert self._local is not None
            merged = merge(self._local, self._views, self._live_pools)
            current = self.snapshot
            if (
                not always
                and current is not None
                and (current.schemas, current.packs, current.clashes, current.nodes)
                == (merged.schemas, merged.packs, merged.clashes, merged.nodes)
            ):
                return current
            snapshot = merged.snapshot((current.revision + 1) if current else 1, self._loaded_at)
            # Answers are encoded once per change, never per request.
            self.schema_json = msgspec.json.encode(snapshot.schemas)
            self.nodepacks_json = msgspec.json.encode({"packs": snapshot.packs, "clashes": snapshot.clashes})
            self.snapshot = snapshot
            await self._kv.put(self._key, encode(snapshot))
            return snapshot

    async def _republish(self, why: str) -> None:
        if self._local is None:
            return  # the first load publishes what is known by then
        try:
            before = self.snapshot.revision if self.snapshot else 0
            snapshot = await self._publish()
        except Exception:
            log.exception("catalog.publish_failed")
            return
        if snapshot.revision != before:
            log.info(
                "catalog.merged",
                why=why,
                revision=snapshot.revision,
                pool_environments=sorted(self._views),
                live_pools=sorted(self._live_pools or ()),
            )

    def _apply_pool_catalog(self, entry: KeyValue.Entry | None) -> None:
        if entry is None:
            return
        pool = entry.key.rsplit(".", 1)[-1]
        if entry.operation in _GONE or not entry.value:
            self._views.pop(pool, None)
        else:
            try:
                self._views[pool] = pool_catalog_decoder.decode(entry.value)
            except msgspec.DecodeError:
                log.warning("catalog.pool_catalog_unreadable", pool=pool)
                return
        self._spawn(self._republish(f"pool {pool} published its environment's catalog"))

    def _apply_beat(self, entry: KeyValue.Entry | None) -> None:
        if entry is None:  # every stored beat read
            self._beats_read = True
        elif entry.operation in _GONE or not entry.value:
            self._beats.pop(entry.key, None)
        else:
            beat = beat_decoder.decode(entry.value)
            if beat.service == "runner":
                self._beats[entry.key] = (beat.pool or "default", beat.at)

    def _check_live_pools(self) -> None:
        oldest = time.time() - _STALE_S
        live = {pool for pool, at in self._beats.values() if at >= oldest}
        if live != self._live_pools:
            self._live_pools = live
            self._spawn(self._republish("the pools with live runners changed"))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        # Held until done: the event loop keeps only weak references to its tasks.
        task = asyncio.ensure_future(work)
        self._spawned.add(task)
        task.add_done_callback(self._spawned.discard)

    async def _watch_live_pools(self) -> None:
        await asyncio.sleep(_STALE_S)
        while True:
            if self._beats_read:
                self._check_live_pools()
            await asyncio.sleep(1.0)

    def _follow_sources(self, catalog: Catalog) -> None:
        """Watch the source folders of editable installs too, from the next change on."""
        outside = [
            Path(report.path)
            for report in catalog.packs
            if report.source == "package"
            and report.path
            and not any(Path(report.path).is_relative_to(site) for site in self._site_dirs)
        ]
        code_dirs = [self._dir, *sorted(set(outside))]
        if code_dirs != self._code_dirs:
            self._code_dirs = code_dirs
            self._rewatch.set()

    async def start_watching(self) -> None:
        self._tasks = [asyncio.create_task(self._watch_code()), asyncio.create_task(self._watch_installed())]
        if self._pool_catalogs:
            self._tasks.append(
                asyncio.create_task(follow(self._kv, self._pool_catalogs, self._apply_pool_catalog, "pool_catalogs"))
            )
        if self._services is not None:
            self._tasks += [
                asyncio.create_task(follow(self._services, ">", self._apply_beat, "beats")),
                asyncio.create_task(self._watch_live_pools()),
            ]

    async def _watch_code(self) -> None:
        def python_files(change: watchfiles.Change, path: str) -> bool:
            # Folders count too: a new pack folder is a change before its files are.
            return "__pycache__" not in path and not path.endswith((".pyc", ".pyo", "~"))

        self._dir.mkdir(parents=True, exist_ok=True)
        while True:
            self._rewatch.clear()
            watched = [folder for folder in self._code_dirs if folder.is_dir()]
            async for changes in watchfiles.awatch(
                *watched, watch_filter=python_files, debounce=100, step=20, recursive=True, stop_event=self._rewatch
            ):
                log.info("catalog.files_changed", files=sorted({p for _, p in changes})[:20])
                await self._reload_logged()

    async def _watch_installed(self) -> None:
        """Top level of each site folder only: a distribution's record comes and goes there."""

        def distributions(change: watchfiles.Change, path: str) -> bool:
            return packages.is_distribution_entry(path)

        async for changes in watchfiles.awatch(
            *self._site_dirs, watch_filter=distributions, debounce=100, step=20, recursive=False
        ):
            log.info("catalog.packages_changed", entries=sorted({Path(p).name for _, p in changes})[:20])
            await self._reload_logged()

    async def _reload_logged(self) -> None:
        try:
            await self.reload()
        except Exception:
            log.exception("catalog.reload_failed")

    async def on_reload_request(self, msg: Msg) -> None:
        """``psynapse packs reload``: load now, answer with what was published."""
        try:
            snapshot = await self.reload()
        except Exception as exc:
            log.exception("catalog.reload_failed")
            await msg.respond(msgspec.json.encode({"error": f"reload failed: {exc}"}))
            return
        body = {"revision": snapshot.revision, "packs": snapshot.packs, "clashes": snapshot.clashes}
        await msg.respond(msgspec.json.encode(body))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
