"""Run history, read from what the backbone already keeps: no per-run work added.

- Finished runs: each run's final event (``<prefix>.events.<run_id>.run`` in
  PSY_EVENTS) is its record. A listing scans those back from now in growing time
  windows until it has enough matches, so a busy stream costs a listing only
  its most recent part.
- Running runs: the runs work-queue holds a run's submit exactly while it runs.
- One run's nodes: a fold over its whole event log, values shown as clients see
  them everywhere else (``codec.show``). Env vars never reach events, so never here.

History lasts as long as PSY_EVENTS keeps events: PSYNAPSE_EVENTS_MAX_AGE_S.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from typing import Any

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from psynapse_common import messages
from psynapse_common.blobs import MARKER as BLOB_MARK
from psynapse_common.blobs import Blobs
from psynapse_common.codec import show
from psynapse_common.graph import error_kind
from psynapse_common.messages import NodeEvent, NodeEvents, RunStatus
from psynapse_common.scan import scan
from psynapse_common.subjects import Names, check_token

from .bodies import NodeRetry, RunNodeRecord, RunSummary
from .records import duration_ms, run_status

STATUSES = ("running", "done", "failed", "cancelled")
# Older clients filter failed runs by the word runs were listed with before.
STATUS_ALIASES = {"error": "failed"}
MAX_LIMIT = 500
# Seconds back from now each scan window starts; None = the stream's first event.
_WINDOWS_S: tuple[float | None, ...] = (60.0, 600.0, 3600.0, 6 * 3600.0, 24 * 3600.0, None)
_SUBMIT_READS = 32  # running runs' submits read at once
# Run start times come from the gateway's clock, stored times from the server's:
# a window counts only runs that started this much after it began.
_CLOCK_SLACK_S = 5.0


class _Final(msgspec.Struct, tag="run", kw_only=True):
    """The part of a RunEvent a listing needs (results and nodes are skipped)."""

    run_id: str
    status: str
    errors: dict[str, str] = {}
    error: str | None = None
    started_at: float = 0.0
    finished_at: float = 0.0
    workflow: str | None = None
    node_count: int = 0


class _Submit(msgspec.Struct, tag="run.submit", kw_only=True):
    run_id: str
    nodes: list[msgspec.Raw] = []
    submitted_at: float = 0.0
    workflow: str | None = None


_final_decoder = msgspec.msgpack.Decoder(_Final)
_submit_decoder = msgspec.msgpack.Decoder(_Submit)


def _row(
    run_id: str, workflow: str | None, status: RunStatus, started: float, finished: float | None, node_count: int
) -> RunSummary:
    return RunSummary(
        run_id=run_id,
        workflow=workflow,
        status=status,
        started_at=started,
        finished_at=finished,
        duration_ms=duration_ms(started, finished),
        node_count=node_count,
    )


class History:
    def __init__(self, js: JetStreamContext, names: Names, blobs: Blobs) -> None:
        self._js = js
        self._names = names
        self._blobs = blobs

    async def list_runs(self, workflow: str | None, status: str | None, limit: int) -> list[RunSummary]:
        """The newest ``limit`` runs (by start time) that match, newest first."""
        found: dict[str, RunSummary] = {}
        if status in (None, "running"):
            for row in await self._running(workflow):
                found[row.run_id] = row
        if status != "running":
            await self._scan_finished(found, workflow, status, limit)
        rows = sorted(found.values(), key=lambda row: row.started_at or 0.0, reverse=True)
        return rows[:limit]

    async def _scan_finished(
        self, found: dict[str, RunSummary], workflow: str | None, status: str | None, limit: int
    ) -> None:
        # A run not yet read ended before the current window began, so it also
        # started before it: once `limit` matches started inside the window, no
        # unread run can be newer than them.
        oldest = await self._oldest_final()
        if oldest is None:
            return
        now = time.time()
        before: int | None = None
        for window in _WINDOWS_S:
            since = dt.datetime.fromtimestamp(now - window, dt.UTC) if window else None
            first: int | None = None
            async for msg in scan(
                self._js,
                self._names.events_stream,
                self._names.events_of_kind("run"),
                since=since,
                before_sequence=before,
            ):
                if first is None:
                    first = msg.metadata.sequence.stream
                final = _final_decoder.decode(msg.data)
                if workflow is not None and final.workflow != workflow:
                    continue
                row_status = run_status(final)
                if status is not None and row_status != status:
                    continue
                found[final.run_id] = _row(
                    final.run_id, final.workflow, row_status, final.started_at, final.finished_at, final.node_count
                )
            if first is not None:
                before = first
            if before is not None and before <= oldest:
                return  # read back to the oldest final event
            cutoff = now - window + _CLOCK_SLACK_S if window else -math.inf
            if sum(1 for row in found.values() if (row.started_at or 0.0) >= cutoff) >= limit:
                return

    async def _oldest_final(self) -> int | None:
        """The stream sequence of the oldest final event kept (None: there is none)."""
        try:
            msg = await self._js.get_msg(
                self._names.events_stream, seq=1, subject=self._names.events_of_kind("run"), next=True
            )
        except NotFoundError:
            return None
        return msg.seq

    async def _running(self, workflow: str | None) -> list[RunSummary]:
        try:
            info = await self._js.stream_info(self._names.runs_stream, subjects_filter=self._names.runs_all)
        except NotFoundError:
            return []
        subjects = list((info.state.subjects or {}).keys())
        gate = asyncio.Semaphore(_SUBMIT_READS)

        async def read(subject: str) -> _Submit | None:
            async with gate:
                try:
                    msg = await self._js.get_last_msg(self._names.runs_stream, subject)
                except NotFoundError:
                    return None  # finished meanwhile
                return _submit_decoder.decode(msg.data or b"")

        rows = []
        for submit in await asyncio.gather(*(read(subject) for subject in subjects)):
            if submit is None or (workflow is not None and submit.workflow != workflow):
                continue
            rows.append(_row(submit.run_id, submit.workflow, "running", submit.submitted_at, None, len(submit.nodes)))
        return rows

    async def nodes(self, run_id: str) -> dict[str, RunNodeRecord]:
        """Every node of a run so far: status, timing, inputs, output or error."""
        fold = NodeFold()
        # Node and run events only: a streaming node's chunks can be thousands.
        kinds = [self._names.event(check_token(run_id, "run id"), kind) for kind in ("node", "run")]
        async for msg in scan(self._js, self._names.events_stream, kinds):
            event = messages.event_decoder.decode(msg.data)
            blobs = None
            if BLOB_MARK in msg.data:
                try:
                    blobs = await self._blobs.fetch([msg.data])
                except Exception:  # noqa: BLE001 - expired from the object store: show the reference
                    blobs = None
            fold.add(event, msg.metadata.timestamp, blobs)
        return fold.nodes


class NodeFold:
    """A run's node events -> one record per node (a pure fold, like the SSE translator)."""

    def __init__(self) -> None:
        self.nodes: dict[str, RunNodeRecord] = {}
        self._started: dict[str, dt.datetime] = {}
        self._ended: set[str] = set()

    def add(self, event: Any, at: dt.datetime, blobs: dict[str, bytes] | None = None) -> None:
        if isinstance(event, NodeEvents):
            for item in event.events:
                self._node(item, at, blobs)

    def _node(self, event: NodeEvent, at: dt.datetime, blobs: dict[str, bytes] | None) -> None:
        if event.node_id in self._ended:
            return  # a late copy (a replayed job, a cancel racing a completion)
        entry = self.nodes.get(event.node_id)
        if entry is None:
            entry = self.nodes[event.node_id] = RunNodeRecord(node_name=event.node_name)
        entry.node_name = event.node_name
        inputs = {k: show(v, blobs) for k, v in event.inputs.items()}
        if event.status == "executing":
            # A redelivered node starts again.
            self._started[event.node_id] = at
            entry.status = "executing"
            entry.inputs = inputs
            entry.attempts, entry.retries = 1, []
            return
        if event.status == "retrying":
            entry.status = "retrying"
            entry.attempts = event.tries
            entry.retries = [
                *entry.retries,
                NodeRetry(attempt=event.tries, error=event.error or "failed", delay_s=event.delay_s or 0.0),
            ]
            return
        self._ended.add(event.node_id)
        if inputs and not entry.inputs:
            entry.inputs = inputs
        entry.status = event.status
        entry.cached = event.cached
        if event.tries > 1:
            entry.attempts = event.tries
        if event.status == "completed":
            entry.output = show(event.output, blobs)
        elif event.status != "skipped":
            entry.error = event.error or "failed"
            entry.error_kind = "timeout" if event.timed_out else error_kind(event.error)
            entry.traceback = event.traceback
        entry.duration_ms = self._duration(event, at)

    def _duration(self, event: NodeEvent, at: dt.datetime) -> float | None:
        if event.duration_ms is not None:
            return round(event.duration_ms, 3)
        started = self._started.get(event.node_id)
        if started is None:
            return None
        return round((at - started).total_seconds() * 1000, 3)
