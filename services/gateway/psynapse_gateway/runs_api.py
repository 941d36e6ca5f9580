"""Our run endpoints: status, replay-then-follow, cancel."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.response import ServerSentEvent

from .docs import errors
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

    @get("/{run_id:str}", summary="A run's status and view results", responses=errors(400, 404))
    async def get_run(self, state: State, run_id: str) -> dict[str, Any]:
        record = await state.runs.record(run_id)
        return await state.runs.record_body(record)

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
