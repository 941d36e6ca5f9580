"""The spec's execution endpoints: one engine, folded (/execute) or streamed."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.response import ServerSentEvent

from psynapse_common.graph import GraphError
from psynapse_common.messages import ExecuteRequest
from psynapse_common.subjects import check_workflow_name

from .docs import errors
from .sse_response import sse


class ExecuteController(Controller):
    tags = ["execution"]

    @post(
        "/execute",
        status_code=200,
        summary="Run a graph and return its view results",
        responses=errors(400, 413, 422, 429),
    )
    async def execute(self, state: State, request: Request, data: ExecuteRequest) -> Response[dict[str, Any]]:
        return await run_folded(state, request, data)

    @post(
        "/execute/stream",
        status_code=200,
        summary="Run a graph, streaming its events (SSE)",
        media_type="text/event-stream",
        responses=errors(400, 413, 422, 429),
    )
    async def execute_stream(self, state: State, request: Request, data: ExecuteRequest) -> ServerSentEvent:
        return await run_streamed(state, request, data)


def _check(state: State, data: ExecuteRequest) -> None:
    state.limits.check_graph(data)
    if data.workflow is not None:
        check_workflow_name(data.workflow)


async def run_folded(state: State, request: Request, data: ExecuteRequest) -> Response[dict[str, Any]]:
    """Run to the end; answer the view results (``X-Run-Id`` names the run)."""
    runs = state.runs
    _check(state, data)
    await runs.validate(data)
    run_id = runs.new_run_id()
    with state.limits.run_slot(_client(request)):
        final = await runs.execute(data, run_id)
    return Response(await runs.final_body(final), headers={"X-Run-Id": run_id})


async def run_streamed(state: State, request: Request, data: ExecuteRequest) -> ServerSentEvent:
    """Run, answering its events as SSE; a graph error is the stream's one event."""
    runs = state.runs
    _check(state, data)
    try:
        await runs.validate(data)
    except GraphError as exc:
        return sse(_single({"status": "error", "error": str(exc)}))
    client = _client(request)
    state.limits.take(client)
    run_id = runs.new_run_id()
    subscription = None
    try:
        subscription = await runs.open_live(run_id)
        await runs.submit(data, run_id)
    except Exception:
        if subscription is not None:
            await subscription.close()
        state.limits.give_back(client)
        raise
    events = state.limits.hold_while(client, runs.follow(subscription))
    return sse(events, headers={"X-Run-Id": run_id}, stopping=state.get("stopping"))


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _single(body: dict[str, Any]) -> AsyncGenerator[tuple[int | None, dict[str, Any]], None]:
    yield None, body
