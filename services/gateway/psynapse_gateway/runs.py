"""Runs as the gateway sees them: submit, wait for the end, follow events, cancel."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from psynapse_common import messages
from psynapse_common.blobs import MARKER as BLOB_MARK
from psynapse_common.blobs import Blobs
from psynapse_common.codec import show
from psynapse_common.graph import Plan, build_plan
from psynapse_common.messages import ExecuteRequest, RunEvent, RunRecord, RunStatus, RunSubmit
from psynapse_common.nats_io import watch_connection
from psynapse_common.publisher import AckedPublisher
from psynapse_common.reader import StreamReader
from psynapse_common.runlog import read_final
from psynapse_common.sealing import seal
from psynapse_common.subjects import Names, check_token

from .live import LiveReader
from .metrics_api import EVENTS_DROPPED, RUNS_SUBMITTED
from .translator import SseTranslator

# Each stored message stands for at most 2 * MAX_BATCH spec events.
ID_SPAN = 2 * messages.MAX_BATCH

# How long /execute waits on the live event before it checks the run's record:
# a reconnect to NATS can drop the core message, never the record.
_RECHECK_S = 5.0


class RunNotFound(LookupError):
    pass


class BackboneUnavailable(RuntimeError):
    """NATS cannot be reached: a new run could be neither queued nor followed."""


class RunService:
    def __init__(
        self,
        nc: Client,
        js: JetStreamContext,
        names: Names,
        catalog: Any,
        secret_key: str | None,
        blobs: Blobs,
    ) -> None:
        self._nc = nc
        self._js = js
        self._names = names
        self._catalog = catalog
        self._secret_key = secret_key
        self._blobs = blobs
        self._waiting: dict[str, asyncio.Future[RunEvent]] = {}
        self._final_sub: Any = None

    async def start(self) -> None:
        self._publisher = AckedPublisher(self._nc)
        watch_connection(self._nc, self._publisher)
        await self._publisher.start()
        # One subscription to every run's final event, routed by run id: cheaper
        # than a subscription per /execute request.
        self._final_sub = await self._nc.subscribe(self._names.events_of_kind("run"), cb=self._on_final)

    async def _on_final(self, msg: Any) -> None:
        waiter = self._waiting.get(Names.run_id_of(msg.subject))
        if waiter is not None and not waiter.done():
            waiter.set_result(messages.run_event_decoder.decode(msg.data))

    def validate(self, request: ExecuteRequest) -> Plan:
        """Raise GraphError before anything runs (same check as the orchestrator's)."""
        return build_plan(request.nodes, request.edges, self._catalog.nodes)

    async def submit(self, request: ExecuteRequest, run_id: str, workflow: str | None = None) -> None:
        """Queue the run for an orchestrator: every run, from any endpoint, goes this way."""
        await (await self.send(request, run_id, workflow))

    async def send(self, request: ExecuteRequest, run_id: str, workflow: str | None = None) -> asyncio.Future[None]:
        """Send the run's submit; the future settles once the stream has stored it."""
        self.ensure_connected()
        env_sealed = seal(request.env_vars, self._secret_key) if request.env_vars else None
        submit = RunSubmit(
            run_id=run_id,
            nodes=request.nodes,
            edges=request.edges,
            env_sealed=env_sealed,
            submitted_at=time.time(),
            workflow=workflow or request.workflow,
            cache=request.cache,
        )
        stored = await self._publisher.publish(self._names.run_submit(run_id), messages.encode(submit))
        RUNS_SUBMITTED.inc()
        return stored

    @staticmethod
    def new_run_id() -> str:
        return uuid.uuid4().hex

    async def execute(self, request: ExecuteRequest, run_id: str | None = None) -> RunEvent:
        """Run to the end and return its final event: /execute is the same run as a stream."""
        run_id = run_id or self.new_run_id()
        waiter: asyncio.Future[RunEvent] = asyncio.get_running_loop().create_future()
        self._waiting[run_id] = waiter
        try:
            stored = await self.send(request, run_id)
            # The run goes on while the stream's ack comes back: wait for both at once,
            # so a submit the stream refuses still ends the wait, with its error.
            either: list[asyncio.Future[Any]] = [stored, waiter]
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
            if stored.done():
                stored.result()
            while True:
                try:
                    return await asyncio.wait_for(asyncio.shield(waiter), _RECHECK_S)
                except TimeoutError:
                    final = await self._final_event(run_id)
                    if final is not None:
                        return final
        finally:
            self._waiting.pop(run_id, None)

    async def _final_event(self, run_id: str) -> RunEvent | None:
        return await read_final(self._js, self._names, run_id)

    async def record(self, run_id: str, missing_ok: bool = False) -> RunRecord | None:
        """A run's status: from its final event, or from its pending submit while it runs."""
        check_token(run_id, "run id")
        # The submit leaves the queue only once the final event is stored, so a run
        # that ends between the two reads is found by reading its final event again.
        for _ in range(2):
            final = await self._final_event(run_id)
            if final is not None:
                return RunRecord(
                    run_id=run_id,
                    status=run_status(final),
                    started_at=final.started_at,
                    finished_at=final.finished_at,
                    workflow=final.workflow,
                    node_count=final.node_count,
                    results=final.results,
                    errors=final.errors,
                    error=final.error,
                )
            submit = await self._pending_submit(run_id)
            if submit is not None:
                return RunRecord(
                    run_id=run_id,
                    status="running",
                    started_at=submit.submitted_at,
                    workflow=submit.workflow,
                    node_count=len(submit.nodes),
                )
        if missing_ok:
            return None
        raise RunNotFound(f"no run {run_id!r}")

    async def _pending_submit(self, run_id: str) -> RunSubmit | None:
        # The orchestrator acks a run's submit when the run ends, so the
        # work-queue stream holds it exactly while the run is pending or running.
        try:
            msg = await self._js.get_last_msg(self._names.runs_stream, self._names.run_submit(run_id))
        except NotFoundError:
            return None
        return messages.run_submit_decoder.decode(msg.data or b"")

    async def open_events(self, run_id: str) -> StreamReader:
        """A reader of one run's events from its first one, paced by its client."""
        reader = StreamReader(self._nc, self._js, self._names.events_stream, self._names.run_events(run_id))
        await reader.open()
        return reader

    def ensure_connected(self) -> None:
        """Refuse new work at once while NATS is away, rather than hold it until it is back."""
        if not self._nc.is_connected:
            raise BackboneUnavailable("no connection to NATS")

    async def open_live(self, run_id: str) -> LiveReader:
        """A reader of a run not submitted yet: its events pushed as they are stored."""
        self.ensure_connected()
        reader = LiveReader(self._nc, self._js, self._names, run_id)
        await reader.open()
        return reader

    async def follow(
        self, subscription: StreamReader | LiveReader, after_id: int = 0
    ) -> AsyncIterator[tuple[int, dict[str, Any]]]:
        """Yield (event id, spec event) until the run's final event.

        Event ids are positions in the run's log: stream sequence × ID_SPAN + the
        event's place within that stored message (several nodes' events, each end
        maybe with its start), so Last-Event-ID resumes exactly.
        """
        translator = SseTranslator()
        try:
            async for sequence, data in subscription.entries():
                event = messages.event_decoder.decode(data)
                blobs = await self._blobs.fetch([data]) if BLOB_MARK in data else None
                for part, body in enumerate(translator.translate(event, blobs)):
                    event_id = sequence * ID_SPAN + part
                    if event_id > after_id:
                        yield event_id, body
                if translator.finished:
                    return
        finally:
            if translator.dropped:
                EVENTS_DROPPED.inc(translator.dropped)
            await subscription.close()

    async def cancel(self, run_id: str) -> None:
        record = await self.record(run_id)
        assert record is not None
        await self._nc.publish(self._names.cancel(run_id), b"")

    async def graph(self, run_id: str) -> dict[str, Any]:
        """The graph a run ran (its nodes, with their positions, and edges), as the editor sends one."""
        check_token(run_id, "run id")
        raw, workflow = None, None
        # A running run's graph is its pending submit; the final event keeps it after.
        for _ in range(2):
            final = await self._final_event(run_id)
            if final is not None:
                raw, workflow = final.graph, final.workflow
                break
            submit = await self._pending_submit(run_id)
            if submit is not None:
                raw, workflow = messages.encode_graph(submit.nodes, submit.edges), submit.workflow
                break
        if raw is None:
            raise RunNotFound(f"no run {run_id!r}")
        if bytes(raw) == bytes(messages.NIL):
            raise RunNotFound(f"run {run_id!r} was recorded without its graph (it ran before runs kept one)")
        try:
            blobs = await self._blobs.fetch([raw]) if BLOB_MARK in bytes(raw) else None
        except Exception as exc:  # noqa: BLE001 - the object store keeps blobs for a time of its own
            raise RunNotFound(f"the graph of run {run_id!r} is no longer kept: {exc}") from None
        shown = show(raw, blobs)
        return {"run_id": run_id, "workflow": workflow, "nodes": shown["nodes"], "edges": shown["edges"]}

    async def final_body(self, event: RunEvent) -> dict[str, Any]:
        return final_body(event, await self._blobs.fetch(list(event.results.values())))

    async def record_body(self, record: RunRecord) -> dict[str, Any]:
        blobs = await self._blobs.fetch(list(record.results.values()))
        return {
            "run_id": record.run_id,
            "status": record.status,
            "workflow": record.workflow,
            "started_at": record.started_at,
            "finished_at": record.finished_at,
            "duration_ms": duration_ms(record.started_at, record.finished_at),
            "node_count": record.node_count,
            "results": {k: show(v, blobs) for k, v in record.results.items()},
            "errors": record.errors,
            "error": record.error,
        }


def run_status(final: Any) -> RunStatus:
    """A finished run's status from its final event (any struct with its fields).

    One vocabulary for every run-level status a user reads: done, failed (a node
    failed, or the graph was refused), cancelled. The SSE events keep the spec's
    words (a final ``done`` or ``error``); the editor maps them the same way.
    """
    if final.error == "cancelled":
        return "cancelled"
    if final.status == "error" or final.errors:
        return "failed"
    return "done"


def duration_ms(started_at: float | None, finished_at: float | None) -> float | None:
    if not started_at or not finished_at:
        return None
    return round((finished_at - started_at) * 1000, 1)


def final_body(event: RunEvent, blobs: dict[str, bytes] | None = None) -> dict[str, Any]:
    """The /execute answer for a run's final event."""
    body: dict[str, Any] = {"results": {k: show(v, blobs) for k, v in event.results.items()}}
    if event.errors:
        body["errors"] = event.errors
    if event.status == "error":
        body["error"] = event.error
    return body
