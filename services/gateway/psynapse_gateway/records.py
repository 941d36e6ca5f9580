"""A run as the backbone keeps it: its record, its graph, and the answers made from them.

A finished run's record is its final event in PSY_EVENTS; a run still going is its
submit, which the runs work-queue holds until the run ends.
"""

from __future__ import annotations

from typing import Any

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from psynapse_common import messages
from psynapse_common.blobs import MARKER as BLOB_MARK
from psynapse_common.blobs import Blobs
from psynapse_common.codec import show
from psynapse_common.messages import GraphEdge, GraphNode, RunEvent, RunRecord, RunStatus, RunSubmit
from psynapse_common.runlog import read_final
from psynapse_common.subjects import Names, check_token

from .bodies import ExecuteResponse, RunDetail, RunGraph, RunNodeRecord


class RunNotFound(LookupError):
    pass


class RunRecords:
    def __init__(self, js: JetStreamContext, names: Names, blobs: Blobs) -> None:
        self._js = js
        self._names = names
        self._blobs = blobs

    async def record(self, run_id: str) -> RunRecord:
        """A run's status: from its final event, or from its pending submit while it runs."""
        check_token(run_id, "run id")
        # The submit leaves the queue only once the final event is stored, so a run
        # that ends between the two reads is found by reading its final event again.
        for _ in range(2):
            final = await read_final(self._js, self._names, run_id)
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
        raise RunNotFound(f"no run {run_id!r}")

    async def _pending_submit(self, run_id: str) -> RunSubmit | None:
        # The orchestrator acks a run's submit when the run ends, so the
        # work-queue stream holds it exactly while the run is pending or running.
        try:
            msg = await self._js.get_last_msg(self._names.runs_stream, self._names.run_submit(run_id))
        except NotFoundError:
            return None
        return messages.run_submit_decoder.decode(msg.data or b"")

    async def detail(self, record: RunRecord, nodes: dict[str, RunNodeRecord]) -> RunDetail:
        blobs = await self._blobs.fetch(list(record.results.values()))
        return RunDetail(
            run_id=record.run_id,
            status=record.status,
            workflow=record.workflow,
            started_at=record.started_at,
            finished_at=record.finished_at,
            duration_ms=duration_ms(record.started_at, record.finished_at),
            node_count=record.node_count,
            results={k: show(v, blobs) for k, v in record.results.items()},
            errors=record.errors,
            error=record.error,
            nodes=nodes,
        )

    async def graph(self, run_id: str) -> RunGraph:
        """The graph a run ran (its nodes, with their positions, and edges), as the editor sends one."""
        check_token(run_id, "run id")
        raw, workflow = None, None
        # A running run's graph is its pending submit; the final event keeps it after.
        for _ in range(2):
            final = await read_final(self._js, self._names, run_id)
            if final is not None:
                raw, workflow = final.graph, final.workflow
                break
            submit = await self._pending_submit(run_id)
            if submit is not None:
                raw = messages.encode_graph(submit.nodes, submit.edges, submit.targets)
                workflow = submit.workflow
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
        return RunGraph(
            run_id=run_id,
            workflow=workflow,
            nodes=msgspec.convert(shown["nodes"], list[GraphNode]),
            edges=msgspec.convert(shown["edges"], list[GraphEdge]),
            targets=msgspec.convert(shown["targets"], list[str]) if "targets" in shown else msgspec.UNSET,
        )


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


def execute_response(event: RunEvent, blobs: dict[str, bytes] | None = None) -> ExecuteResponse:
    """The /execute answer for a run's final event; ``blobs`` holds its large values."""
    return ExecuteResponse(
        results={k: show(v, blobs) for k, v in event.results.items()},
        errors=event.errors if event.errors else msgspec.UNSET,
        error=event.error if event.status == "error" else msgspec.UNSET,
    )
