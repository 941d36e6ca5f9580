"""A pool with its own Python environment: its runners publish their pool's nodes as
introspected here, for the schema service to serve (packs whose dependencies exist only
in this environment, or in other versions than the schema service's)."""

from __future__ import annotations

import structlog
from nats.errors import Error as NatsError
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from psynapse_common.messages import encode
from psynapse_common.nodepacks import Catalog
from psynapse_common.pool_catalog import pool_catalog

log = structlog.get_logger()


class PoolCatalogPublisher:
    def __init__(self, kv: KeyValue, key: str, pool: str) -> None:
        self._kv = kv
        self._key = key
        self._pool = pool
        self._published = b""

    async def publish(self, catalog: Catalog) -> None:
        """Put what this load gave, when it differs from what this runner last put.

        The schema service answers a change with a new catalog revision, which every
        runner loads again: an unchanged load must not publish, or they would never stop.
        """
        body = encode(pool_catalog(catalog, self._pool))
        if body == self._published:
            return
        try:
            try:
                current = (await self._kv.get(self._key)).value
            except KeyNotFoundError:
                current = None
            # Another runner of the pool may have put the same already.
            if current != body:
                await self._kv.put(self._key, body)
                log.info("runner.pool_catalog_published", pool=self._pool, nodes=len(catalog.nodes))
        except (NatsError, TimeoutError) as exc:
            log.warning("runner.pool_catalog_not_published", pool=self._pool, error=str(exc))
            return  # the next load tries again
        self._published = body

    async def withdraw(self) -> None:
        """Delete what a runner of this pool published, if any."""
        try:
            await self._kv.get(self._key)
        except KeyNotFoundError:
            return  # nothing there (or deleted already): no delete marker needed
        await self._kv.delete(self._key)
        log.info("runner.pool_catalog_withdrawn", pool=self._pool)
