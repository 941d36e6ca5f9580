"""Saved workflows with their versions, and running one by name (workflows as APIs)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import Body, FromPath, JSONBody

from psynapse_common.subjects import check_workflow_name

from .bodies import ExecuteResponse, WorkflowBody, WorkflowList, WorkflowRecord, WorkflowSaved, WorkflowVersions
from .deps import Resources
from .docs import (
    SPEC_RESULTS,
    SSE_EXAMPLE,
    WORKFLOW_EXAMPLE,
    WORKFLOW_RUN_EXAMPLE,
    errors,
    example,
)
from .execute_api import run_folded, run_streamed
from .guards import GRAPH_BODY, STARTS_RUN
from .workflows import WorkflowRun, WorkflowStore, check_body

_NOT_FOUND = "No workflow of that name, or no such version of it"
_NAME_RULE = "Names are 1-64 letters, digits, '-' or '_'."


class WorkflowsController(Controller):
    path = "/workflows"
    tags = ["workflows"]

    @get("/", summary="Every saved workflow, by name")
    async def list_workflows(self, workflows: NamedDependency[WorkflowStore]) -> WorkflowList:
        return await workflows.list_all()

    @put(
        "/{name:str}",
        summary="Save a workflow as its newest version",
        description=_NAME_RULE + " Every save is a new version; the last 64 are kept.",
        opt=GRAPH_BODY,
        responses=errors(400, 413, 422),
    )
    async def save(
        self, name: FromPath[str], data: JSONBody[WorkflowBody], workflows: NamedDependency[WorkflowStore]
    ) -> WorkflowSaved:
        check_workflow_name(name)
        check_body(data)
        return await workflows.save(name, data)

    @get(
        "/{name:str}",
        summary="A workflow's newest version",
        responses={
            **errors(400, 404, not_found=_NOT_FOUND),
            **example(200, "The workflow", WORKFLOW_EXAMPLE, WorkflowRecord),
        },
    )
    async def get_workflow(self, name: FromPath[str], workflows: NamedDependency[WorkflowStore]) -> WorkflowRecord:
        return await workflows.get(check_workflow_name(name))

    @delete(
        "/{name:str}",
        summary="Delete a workflow and all its versions",
        responses=errors(400, 404, not_found=_NOT_FOUND),
    )
    async def delete_workflow(self, name: FromPath[str], workflows: NamedDependency[WorkflowStore]) -> None:
        await workflows.delete(check_workflow_name(name))

    @get(
        "/{name:str}/versions",
        summary="A workflow's versions, newest first",
        responses=errors(400, 404, not_found=_NOT_FOUND),
    )
    async def list_versions(self, name: FromPath[str], workflows: NamedDependency[WorkflowStore]) -> WorkflowVersions:
        return await workflows.version_list(check_workflow_name(name))

    @get(
        "/{name:str}/versions/{version:int}",
        summary="One version of a workflow",
        description="Version n is the n-th save still kept (1 = the oldest).",
        responses={
            **errors(400, 404, not_found=_NOT_FOUND),
            **example(200, "The version", WORKFLOW_EXAMPLE, WorkflowRecord),
        },
    )
    async def get_version(
        self, name: FromPath[str], version: FromPath[int], workflows: NamedDependency[WorkflowStore]
    ) -> WorkflowRecord:
        return await workflows.get(check_workflow_name(name), version)

    @post(
        "/{name:str}/versions/{version:int}/restore",
        status_code=200,
        summary="Save an old version again as the newest one",
        responses=errors(400, 404, 413, not_found=_NOT_FOUND),
    )
    async def restore(
        self, name: FromPath[str], version: FromPath[int], workflows: NamedDependency[WorkflowStore]
    ) -> WorkflowSaved:
        return await workflows.restore(check_workflow_name(name), version)

    @post(
        "/{name:str}/run",
        status_code=200,
        summary="Run a saved workflow with inputs (a workflow as an API)",
        description=(
            "Runs the newest version. Each key of `inputs` sets the value of the variable nodes whose "
            "`variableName` is that key (converted by their `variableType`, so a Number variable takes 5 "
            'or "5"); a key no variable node is named answers 400. The answer is `/execute`\'s '
            '`{"results": ...}`, or `/execute/stream`\'s SSE events when the request has '
            "`Accept: text/event-stream`. `X-Run-Id` names the run either way.\n\n"
            + SPEC_RESULTS
            + "\n\nSSE answer:\n```\n"
            + SSE_EXAMPLE
            + "```"
        ),
        opt=STARTS_RUN,
        responses={
            **errors(400, 404, 413, 422, 429, 503, not_found=_NOT_FOUND),
            # JSON or SSE by Accept: one return type cannot say both, so the JSON one is named here.
            200: ResponseSpec(
                data_container=ExecuteResponse,
                description="The view results (SSE events with Accept: text/event-stream); X-Run-Id names the run",
                generate_examples=False,
            ),
        },
    )
    async def run(
        self,
        request: Request,
        name: FromPath[str],
        resources: NamedDependency[Resources],
        data: Annotated[
            WorkflowRun | None,
            Body(
                description="Input values by variable name; optional env_vars, cache and timeout_s as for /execute",
                examples=[Example(summary="Set the variable named x to 5", value=WORKFLOW_RUN_EXAMPLE)],
            ),
        ] = None,
    ) -> Response[Any]:
        execute = await resources.workflows.run_request(check_workflow_name(name), data or WorkflowRun())
        # Saved under the limits of its day: held to today's before it runs.
        resources.limits.check_graph(len(execute.nodes), len(execute.edges))
        if "text/event-stream" in request.headers.get("accept", ""):
            return await run_streamed(execute, resources.submitter, resources.follower, resources.stopping)
        return await run_folded(execute, resources.submitter, resources.follower)
