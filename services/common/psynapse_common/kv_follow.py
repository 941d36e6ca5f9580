"""Following a KV key (or ``>``, every key) for as long as a service lives."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog
from nats.js.kv import KeyValue

log = structlog.get_logger()


async def follow(kv: KeyValue, key: str, apply: Callable[[KeyValue.Entry | None], None], what: str) -> None:
    """Hand every update of ``key`` to ``apply``, watching again after a NATS hiccup.

    ``None`` comes once every value stored when a watch began has been handed over.
    """
    while True:
        try:
            watcher = await kv.watch(key)
            async for entry in watcher:
                apply(entry)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep following across NATS hiccups
            log.warning(f"{what}.watch_failed", error=str(exc))
            await asyncio.sleep(0.5)
