"""What handlers are given, through Litestar's dependency injection (``Provide``).

The lifespan opens the gateway's resources and keeps them, as one ``Resources``, on
``app.state``; the providers below are the one place that reads them back, typed, so a
handler names what it needs by parameter (``submitter: RunSubmitter``) and nothing else.

A handler that needs two or more takes them all as one, ``resources: Resources``:
Litestar resolves dependencies of the same level in an anyio task group, a cost of
its own on every request (about a tenth of a millisecond of the gateway's CPU per
``/execute``), where a single dependency is a plain call.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from litestar.datastructures import State
from litestar.di import Provide
from nats.aio.client import Client

from psynapse_common.blobs import Blobs
from psynapse_common.catalog_watch import CatalogWatch

from .beats import LiveServices
from .catalog_live import CatalogSignal, PackReloader
from .follower import RunFollower
from .history import History
from .limits import Limits
from .queues import Queues
from .records import RunRecords
from .submitter import RunSubmitter
from .workflows import WorkflowStore

_KEY = "resources"


@dataclass(frozen=True)
class Resources:
    nc: Client
    catalog: CatalogWatch
    catalog_signal: CatalogSignal
    pack_reloader: PackReloader
    live_services: LiveServices
    queues: Queues
    limits: Limits
    submitter: RunSubmitter
    follower: RunFollower
    records: RunRecords
    history: History
    workflows: WorkflowStore
    blobs: Blobs
    # Set when the gateway stops (``serve_asgi`` puts it on the state): streams end then.
    stopping: asyncio.Event | None

    def keep(self, state: State) -> None:
        state[_KEY] = self


def resources(state: State) -> Resources:
    found = state.get(_KEY)
    if not isinstance(found, Resources):
        raise RuntimeError("the gateway's resources are not open: its lifespan has not run")
    return found


def _catalog_signal(state: State) -> CatalogSignal:
    return resources(state).catalog_signal


def _pack_reloader(state: State) -> PackReloader:
    return resources(state).pack_reloader


def _records(state: State) -> RunRecords:
    return resources(state).records


def _history(state: State) -> History:
    return resources(state).history


def _workflows(state: State) -> WorkflowStore:
    return resources(state).workflows


def _blobs(state: State) -> Blobs:
    return resources(state).blobs


def stopping_of(state: State) -> asyncio.Event | None:
    """The event ``serve_asgi`` sets when the gateway stops, if it runs under it."""
    stopping = state.get("stopping")
    return stopping if isinstance(stopping, asyncio.Event) else None


def dependencies() -> dict[str, Provide]:
    """Every handler dependency, by the parameter name handlers use."""
    providers = {
        "resources": resources,
        "catalog_signal": _catalog_signal,
        "pack_reloader": _pack_reloader,
        "records": _records,
        "history": _history,
        "workflows": _workflows,
        "blobs": _blobs,
    }
    return {name: Provide(provider, sync_to_thread=False) for name, provider in providers.items()}
