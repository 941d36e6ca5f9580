"""Sending runs to the orchestrators, and their cancels: every run, from any endpoint, goes this way."""

from __future__ import annotations

import asyncio
import time
import uuid

from nats.aio.client import Client

from psynapse_common import messages
from psynapse_common.catalog_watch import CatalogWatch
from psynapse_common.graph import Plan
from psynapse_common.messages import ExecuteRequest, RunSubmit
from psynapse_common.nats_io import watch_connection
from psynapse_common.publisher import AckedPublisher
from psynapse_common.saved_workflows import SavedWorkflows
from psynapse_common.sealing import seal
from psynapse_common.subgraphs import plan_graph
from psynapse_common.subjects import Names

from .metrics import RUNS_SUBMITTED


class BackboneUnavailable(RuntimeError):
    """NATS cannot be reached: a new run could be neither queued nor followed."""


def ensure_connected(nc: Client) -> None:
    """Refuse new work at once while NATS is away, rather than hold it until it is back."""
    if not nc.is_connected:
        raise BackboneUnavailable("no connection to NATS")


class RunSubmitter:
    def __init__(
        self, nc: Client, names: Names, catalog: CatalogWatch, secret_key: str | None, workflows: SavedWorkflows
    ) -> None:
        self._workflows = workflows
        self._nc = nc
        self._names = names
        self._catalog = catalog
        self._secret_key = secret_key
        self._publisher = AckedPublisher(nc)

    async def start(self) -> None:
        watch_connection(self._nc, self._publisher)
        await self._publisher.start()

    @staticmethod
    def new_run_id() -> str:
        return uuid.uuid4().hex

    async def validate(self, request: ExecuteRequest) -> Plan:
        """Raise GraphError before anything runs (the orchestrator plans the same way)."""
        return await plan_graph(
            request.nodes, request.edges, self._catalog.nodes, self._workflows.load, request.targets
        )

    async def submit(self, request: ExecuteRequest, run_id: str) -> None:
        """Queue the run for an orchestrator; back once the stream has stored it."""
        await (await self.send(request, run_id))

    async def send(self, request: ExecuteRequest, run_id: str) -> asyncio.Future[None]:
        """Send the run's submit; the future settles once the stream has stored it."""
        ensure_connected(self._nc)
        env_sealed = seal(request.env_vars, self._secret_key) if request.env_vars else None
        submit = RunSubmit(
            run_id=run_id,
            nodes=request.nodes,
            edges=request.edges,
            env_sealed=env_sealed,
            submitted_at=time.time(),
            workflow=request.workflow,
            cache=request.cache,
            targets=request.targets,
            timeout_s=request.timeout_s,
        )
        stored = await self._publisher.publish(self._names.run_submit(run_id), messages.encode(submit))
        RUNS_SUBMITTED.inc()
        return stored

    async def cancel(self, run_id: str) -> None:
        """Ask the run's orchestrator and runners to stop it (core NATS: whoever holds it hears)."""
        await self._nc.publish(self._names.cancel(run_id), b"")
