"""The catalog's live side in the gateway: a signal when it changes, and pack reloads."""

from __future__ import annotations

import asyncio
import contextlib

import msgspec
from litestar.exceptions import HTTPException, ServiceUnavailableException
from nats.aio.client import Client
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError

from psynapse_common.messages import CatalogSnapshot
from psynapse_common.subjects import Names

# Importing every pack again may take a while (packs that import large libraries).
_RELOAD_TIMEOUT_S = 120.0
# After the schema service answered, how long this gateway waits to see what it published.
_SEEN_WITHIN_S = 10.0


class CatalogSignal:
    """Wakes every /catalog/events client when the catalog changes."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self.revision = 0
        self.schema_json = b"[]"
        self.nodepacks_json = b'{"packs":[],"clashes":[]}'
        self.closed = False

    def changed(self, snapshot: CatalogSnapshot) -> None:
        self.revision = snapshot.revision
        # Encoded once per change, as the schema service published them (the spec fixes
        # /get_schema's shape); every request serves these bytes. NodeSchema and
        # NodepacksResponse describe them in the OpenAPI document.
        self.schema_json = msgspec.json.encode(snapshot.schemas)
        self.nodepacks_json = msgspec.json.encode({"packs": snapshot.packs, "clashes": snapshot.clashes})
        asyncio.ensure_future(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def close(self) -> None:
        self.closed = True
        asyncio.ensure_future(self._notify())

    async def wait(self) -> None:
        """Until the catalog changes (callers bound it with ``asyncio.timeout``)."""
        async with self._changed:
            await self._changed.wait()

    async def reached(self, revision: int, within_s: float) -> None:
        """Until this gateway serves ``revision`` (or a later one), for at most ``within_s``."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within_s), self._changed:
                await self._changed.wait_for(lambda: self.revision >= revision or self.closed)


class PackReloader:
    """Asks the schema service to load the nodepacks again, and waits to serve the result."""

    def __init__(self, nc: Client, names: Names, signal: CatalogSignal) -> None:
        self._nc = nc
        self._names = names
        self._signal = signal

    async def reload(self) -> bytes:
        try:
            reply = await self._nc.request(self._names.catalog_reload, b"", timeout=_RELOAD_TIMEOUT_S)
        except NoRespondersError:
            raise ServiceUnavailableException("no schema service is running to reload the nodepacks") from None
        except NatsTimeoutError:
            raise HTTPException(
                status_code=504, detail=f"the schema service did not finish reloading within {_RELOAD_TIMEOUT_S:.0f} s"
            ) from None
        answer = msgspec.json.decode(reply.data)
        if "error" in answer:
            raise HTTPException(status_code=500, detail=str(answer["error"]))
        # A client that reloads and then asks for /get_schema gets what was loaded.
        await self._signal.reached(int(answer["revision"]), _SEEN_WITHIN_S)
        return reply.data
