"""The spec's execution endpoints: one engine, folded (/execute) or streamed."""

from __future__ import annotations

import asyncio

from litestar import Controller, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.response import ServerSentEvent

from psynapse_common.graph import GraphError
from psynapse_common.messages import ExecuteRequest
from psynapse_common.subjects import check_workflow_name
from psynapse_common.targets import TargetError

from .bodies import ExecuteResponse
from .deps import Resources
from .docs import RUN_ID_HEADER, SPEC_RESULTS, SSE_EXAMPLE, errors
from .follower import RunFollower
from .guards import GRAPH_BODY, STARTS_RUN
from .sse_response import single, sse
from .submitter import RunSubmitter


class ExecuteController(Controller):
    tags = ["execution"]

    @post(
        "/execute",
        status_code=200,
        summary="Run a graph and return its view results",
        description=SPEC_RESULTS,
        opt={**GRAPH_BODY, **STARTS_RUN},
        response_headers=[RUN_ID_HEADER],
        responses=errors(400, 413, 422, 429, 503),
    )
    async def execute(
        self,
        data: JSONBody[ExecuteRequest],
        resources: NamedDependency[Resources],
    ) -> Response[ExecuteResponse]:
        return await run_folded(data, resources.submitter, resources.follower)

    @post(
        "/execute/stream",
        status_code=200,
        summary="Run a graph, streaming its events (SSE)",
        description="SSE answer:\n```\n" + SSE_EXAMPLE + "```",
        media_type="text/event-stream",
        opt={**GRAPH_BODY, **STARTS_RUN},
        response_headers=[RUN_ID_HEADER],
        responses=errors(400, 413, 422, 429, 503),
    )
    async def execute_stream(
        self,
        data: JSONBody[ExecuteRequest],
        resources: NamedDependency[Resources],
    ) -> ServerSentEvent:
        return await run_streamed(data, resources.submitter, resources.follower, resources.stopping)


async def run_folded(data: ExecuteRequest, submitter: RunSubmitter, follower: RunFollower) -> Response[ExecuteResponse]:
    """Run to the end; answer the view results (``X-Run-Id`` names the run)."""
    if data.workflow is not None:
        check_workflow_name(data.workflow)
    await submitter.validate(data)
    run_id = submitter.new_run_id()
    final = await follower.run_to_end(run_id, lambda: submitter.send(data, run_id))
    return Response(await follower.answer(final), headers={"X-Run-Id": run_id})


async def run_streamed(
    data: ExecuteRequest, submitter: RunSubmitter, follower: RunFollower, stopping: asyncio.Event | None
) -> ServerSentEvent:
    """Run, answering its events as SSE; a graph error is the stream's one event."""
    if data.workflow is not None:
        check_workflow_name(data.workflow)
    try:
        await submitter.validate(data)
    except TargetError:
        raise  # the request names nodes it has not got: a 400, as /execute answers it
    except GraphError as exc:
        return sse(single({"status": "error", "error": str(exc)}))
    run_id = submitter.new_run_id()
    # Subscribed before the submit is sent, so no event of the run can pass it by.
    reader = await follower.open_live(run_id)
    try:
        await submitter.submit(data, run_id)
    except BaseException:
        await reader.close()
        raise
    return sse(follower.events(reader), headers={"X-Run-Id": run_id}, stopping=stopping)
