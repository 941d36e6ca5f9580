"""The nodepack code this runner executes, reloaded when the published catalog changes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

from psynapse_common.nodepacks import Catalog, load_catalog

log = structlog.get_logger()


class CodeCatalog:
    def __init__(self, nodepacks_dir: Path) -> None:
        self._dir = nodepacks_dir
        self._catalog: Catalog | None = None
        self.revision = 0
        self.code_load = 0  # the code_load of the catalog whose code is loaded (0: unknown)
        self._lock = asyncio.Lock()
        # Called with each catalog loaded (a pool with its own environment publishes it).
        self.on_loaded: Callable[[Catalog], Awaitable[None]] | None = None

    async def load(self, revision: int = 0, code_load: int = 0) -> None:
        async with self._lock:
            if self._catalog is not None and revision <= self.revision:
                # Loaded for a job of this revision already: that was this code.
                self.code_load = max(self.code_load, code_load)
                return
            # Importing user code can take a while: keep the event loop free.
            self._catalog = await asyncio.to_thread(load_catalog, self._dir)
            self.revision = max(revision, self.revision)
            self.code_load = code_load
            log.info("runner.code_loaded", revision=self.revision, nodes=len(self._catalog.nodes))
            if self.on_loaded is not None:
                await self.on_loaded(self._catalog)

    async def follow(self, revision: int, code_load: int) -> None:
        """A new catalog: load the code again, unless the catalog only merged in what the
        pools' runners published (then the code loaded is the code of ``revision`` too).

        A pool's runners publish after each load, and the schema service answers with a new
        revision: loading on every revision would load forever whenever a load's report
        differs from the last (an import error naming a module of this load).
        """
        async with self._lock:
            if self._catalog is not None and code_load and code_load == self.code_load:
                self.revision = max(revision, self.revision)
                return
        await self.load(revision, code_load)

    async def ensure(self, revision: int) -> None:
        """Make sure the code is at least as new as the catalog the job was planned with."""
        if revision > self.revision:
            await self.load(revision)

    def get(self, name: str) -> Any:
        assert self._catalog is not None
        return self._catalog.nodes.get(name)
