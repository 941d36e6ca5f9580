"""Our run endpoints: status, replay-then-follow, cancel."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import Parameter
from litestar.response import ServerSentEvent

from psynapse_common.subjects import check_workflow_name

from .docs import RUN_DETAIL_EXAMPLE, RUN_GRAPH_EXAMPLE, RUN_LIST_EXAMPLE, errors, example
from .history import MAX_LIMIT, STATUS_ALIASES, STATUSES
from .sse_response import sse


def _last_event_id(request: Request) -> int:
    value = request.headers.get("last-event-id") or request.query_params.get("last_event_id")
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
        responses={**errors(400), **example(200, "The runs, newest first", RUN_LIST_EXAMPLE)},
    )
    async def list_runs(
        self,
        state: State,
        workflow: str | None = Parameter(default=None, description="Only runs of this saved workflow"),
        status: str | None = Parameter(default=None, description="running, done, failed or cancelled"),
        limit: int = Parameter(default=50, ge=1, le=MAX_LIMIT, description="At most this many runs"),
    ) -> dict[str, Any]:
        status = STATUS_ALIASES.get(status, status) if status is not None else None
        if status is not None and status not in STATUSES:
            raise ValidationException(f"status {status!r} is not one of {', '.join(STATUSES)}")
        if workflow is not None:
            check_workflow_name(workflow)
        return {"runs": await state.history.list_runs(workflow, status, limit)}

    @get(
        "/{run_id:str}",
        summary="A run's status, view results and nodes",
        responses={**errors(400, 404), **example(200, "The run", RUN_DETAIL_EXAMPLE)},
    )
    async def get_run(self, state: State, run_id: str) -> dict[str, Any]:
        record = await state.runs.record(run_id)
        body = await state.runs.record_body(record)
        body["nodes"] = await state.history.nodes(run_id)
        return body

    @get(
        "/{run_id:str}/graph",
        summary="The graph a run ran, to open or run again",
        description=(
            "Its nodes (with the positions the editor drew them at) and edges, as `/execute` takes them; "
            "never env_vars. 404 for runs recorded before runs kept their graph."
        ),
        responses={**errors(400, 404), **example(200, "The run's graph", RUN_GRAPH_EXAMPLE)},
    )
    async def get_run_graph(self, state: State, run_id: str) -> dict[str, Any]:
        return await state.runs.graph(run_id)

    @get(
        "/{run_id:str}/events",
        summary="Replay a run's events (after Last-Event-ID), then follow it",
        media_type="text/event-stream",
        responses=errors(400, 404),
    )
    async def run_events(self, state: State, request: Request, run_id: str) -> ServerSentEvent:
        await state.runs.record(run_id)  # 404 for unknown runs
        subscription = await state.runs.open_events(run_id)
        return sse(
            state.runs.follow(subscription, after_id=_last_event_id(request)),
            headers={"X-Run-Id": run_id},
            stopping=state.get("stopping"),
        )

    @post("/{run_id:str}/cancel", status_code=202, summary="Cancel a run", responses=errors(400, 404))
    async def cancel(self, state: State, run_id: str) -> dict[str, str]:
        await state.runs.cancel(run_id)
        return {"run_id": run_id, "status": "cancelling"}
