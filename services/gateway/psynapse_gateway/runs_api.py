"""Our run endpoints: history, status, graph, replay-then-follow, cancel."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, HeaderParameter, Parameter
from litestar.response import ServerSentEvent

from psynapse_common.subjects import check_workflow_name

from .bodies import CancelAccepted, RunDetail, RunGraph, RunList
from .deps import Resources
from .docs import RUN_ID_HEADER, errors
from .history import MAX_LIMIT, STATUS_ALIASES, STATUSES, History
from .records import RunRecords
from .sse_response import sse


def _event_id(value: str | None) -> int:
    try:
        return int(value) if value else 0
    except ValueError:
        return 0


class RunsController(Controller):
    path = "/runs"
    tags = ["runs"]

    @get(
        "/",
        summary="Past and running runs, newest first",
        description=(
            "Runs are kept as long as their events: PSYNAPSE_EVENTS_MAX_AGE_S (default 7 days). "
            "`status` is one of running, done, failed, cancelled (`error` is taken for failed); "
            "`limit` is 1 to 500 (default 50)."
        ),
        responses=errors(400),
    )
    async def list_runs(
        self,
        history: NamedDependency[History],
        workflow: Annotated[str | None, Parameter(description="Only runs of this saved workflow")] = None,
        status: Annotated[str | None, Parameter(description="running, done, failed or cancelled")] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="At most this many runs")] = 50,
    ) -> RunList:
        status = STATUS_ALIASES.get(status, status) if status is not None else None
        if status is not None and status not in STATUSES:
            raise ValidationException(f"status {status!r} is not one of {', '.join(STATUSES)}")
        if workflow is not None:
            check_workflow_name(workflow)
        return RunList(runs=await history.list_runs(workflow, status, limit))

    @get("/{run_id:str}", summary="A run's status, view results and nodes", responses=errors(400, 404))
    async def get_run(self, run_id: FromPath[str], resources: NamedDependency[Resources]) -> RunDetail:
        record = await resources.records.record(run_id)
        return await resources.records.detail(record, await resources.history.nodes(run_id))

    @get(
        "/{run_id:str}/graph",
        summary="The graph a run ran, to open or run again",
        description=(
            "Its nodes (with the positions the editor drew them at) and edges, as `/execute` takes them; "
            "never env_vars. 404 for runs recorded before runs kept their graph."
        ),
        responses=errors(400, 404),
    )
    async def get_run_graph(self, run_id: FromPath[str], records: NamedDependency[RunRecords]) -> RunGraph:
        return await records.graph(run_id)

    @get(
        "/{run_id:str}/events",
        summary="Replay a run's events (after Last-Event-ID), then follow it",
        media_type="text/event-stream",
        response_headers=[RUN_ID_HEADER],
        responses=errors(400, 404),
    )
    async def run_events(
        self,
        run_id: FromPath[str],
        resources: NamedDependency[Resources],
        last_event_id_header: Annotated[
            str | None, HeaderParameter(name="Last-Event-ID", description="Only the events after this one")
        ] = None,
        last_event_id: Annotated[
            str | None, Parameter(description="The same, for clients that cannot send headers (EventSource)")
        ] = None,
    ) -> ServerSentEvent:
        await resources.records.record(run_id)  # 404 for unknown runs
        reader = await resources.follower.open_events(run_id)
        after = _event_id(last_event_id_header or last_event_id)
        events = resources.follower.events(reader, after_id=after)
        return sse(events, headers={"X-Run-Id": run_id}, stopping=resources.stopping)

    @post("/{run_id:str}/cancel", status_code=202, summary="Cancel a run", responses=errors(400, 404))
    async def cancel(self, run_id: FromPath[str], resources: NamedDependency[Resources]) -> CancelAccepted:
        await resources.records.record(run_id)  # 404 for unknown runs
        await resources.submitter.cancel(run_id)
        return CancelAccepted(run_id=run_id)
