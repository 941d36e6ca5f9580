"""Follows the catalog the schema service publishes to KV, without importing user code."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nats.js.kv import KeyValue

from .kv_follow import follow
from .messages import CatalogNode, CatalogSnapshot, catalog_decoder


class CatalogWatch:
    def __init__(self, kv: KeyValue, key: str) -> None:
        self._kv = kv
        self._key = key
        self.snapshot: CatalogSnapshot | None = None
        self.revision = 0  # the KV revision of ``snapshot``
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[CatalogSnapshot], None]] = []

    @property
    def nodes(self) -> dict[str, CatalogNode]:
        return self.snapshot.nodes if self.snapshot else {}

    def on_change(self, listener: Callable[[CatalogSnapshot], None]) -> None:
        self._listeners.append(listener)

    async def start(self) -> None:
        self._task = asyncio.create_task(follow(self._kv, self._key, self._apply, "catalog"))

    async def wait_ready(self, within_s: float) -> bool:
        """Whether a catalog came within ``within_s`` (the usual case: at once, no timer)."""
        if self._ready.is_set():
            return True
        try:
            async with asyncio.timeout(within_s):
                await self._ready.wait()
        except TimeoutError:
            return False
        return True

    def _apply(self, entry: KeyValue.Entry | None) -> None:
        if entry is None or not entry.value:
            return
        self.snapshot = catalog_decoder.decode(entry.value)
        self.revision = entry.revision or 0
        self._ready.set()
        for listener in self._listeners:
            listener(self.snapshot)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
