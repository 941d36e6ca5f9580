"""Loading the nodepacks once per change and publishing the result to KV."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import msgspec
import structlog
import watchfiles
from nats.aio.msg import Msg
from nats.js.kv import KeyValue

from psynapse_common.messages import CatalogNode, CatalogSnapshot, encode
from psynapse_common.nodepacks import Catalog, load_catalog, packages

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
                constraints={p["name"]: p["constraints"] for p in spec.schema["params"] if "constraints" in p},
            )
            for name, spec in catalog.nodes.items()
        },
    )


class CatalogPublisher:
    """Holds the current catalog, its JSON answers, and keeps KV in step with the code.

    The code is the nodepacks folder and the packs installed in this environment: the
    folder (and an editable install's source folder) is watched recursively for
    edits; the folders on ``sys.path`` are watched for distributions coming and going.
    """

    def __init__(self, nodepacks_dir: Path, kv: KeyValue, key: str) -> None:
        self._dir = nodepacks_dir
        self._kv = kv
        self._key = key
        self.snapshot: CatalogSnapshot | None = None
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
        revision = (self.snapshot.revision + 1) if self.snapshot else 1
        snapshot = snapshot_of(catalog, revision)
        # Answers are encoded once per change, never per request.
        self.schema_json = msgspec.json.encode(snapshot.schemas)
        self.nodepacks_json = msgspec.json.encode({"packs": snapshot.packs, "clashes": snapshot.clashes})
        self.snapshot = snapshot
        await self._kv.put(self._key, encode(snapshot))
        self._follow_sources(catalog)
        log.info(
            "catalog.published",
            revision=revision,
            nodes=len(snapshot.nodes),
            installed_packs=[p.name for p in catalog.packs if p.source == "package"],
            failed_packs=[p["name"] for p in snapshot.packs if p["status"] != "ok"],
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return snapshot

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
