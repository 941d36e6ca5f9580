"""Saved workflows with their versions, and running one by name (workflows as APIs)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.openapi.spec import Example
from litestar.params import Body

from psynapse_common.subjects import check_workflow_name

from .docs import (
    SPEC_RESULTS,
    SSE_EXAMPLE,
    WORKFLOW_EXAMPLE,
    WORKFLOW_RUN_EXAMPLE,
    WORKFLOW_SAVED_EXAMPLE,
    errors,
    example,
)
from .execute_api import run_folded, run_streamed
from .workflows import WorkflowBody, WorkflowRun, check_body

_NOT_FOUND = "No workflow of that name, or no such version of it"
_NAME_RULE = "Names are 1-64 letters, digits, '-' or '_'."


class WorkflowsController(Controller):
    path = "/workflows"
    tags = ["workflows"]

    @get(
        "/",
        summary="Every saved workflow, by name",
        responses=example(
            200,
            "The saved workflows",
            {"workflows": [{"name": "sums", "updated": "2025-01-31T12:00:00.000Z", "versions": 3}]},
        ),
    )
    async def list_workflows(self, state: State) -> dict[str, Any]:
        return await state.workflows.list_all()

    @put(
        "/{name:str}",
        summary="Save a workflow as its newest version",
        description=_NAME_RULE + " Every save is a new version; the last 64 are kept.",
        responses={**errors(400, 413, 422), **example(200, "Saved", WORKFLOW_SAVED_EXAMPLE)},
    )
    async def save(self, state: State, name: str, data: WorkflowBody) -> dict[str, Any]:
        check_workflow_name(name)
        state.limits.check_graph(data)
        check_body(data)
        return await state.workflows.save(name, data)

    @get(
        "/{name:str}",
        summary="A workflow's newest version",
        responses={**errors(400, 404, not_found=_NOT_FOUND), **example(200, "The workflow", WORKFLOW_EXAMPLE)},
    )
    async def get_workflow(self, state: State, name: str) -> dict[str, Any]:
        return await state.workflows.get(check_workflow_name(name))

    @delete(
        "/{name:str}",
        summary="Delete a workflow and all its versions",
        responses=errors(400, 404, not_found=_NOT_FOUND),
    )
    async def delete_workflow(self, state: State, name: str) -> None:
        await state.workflows.delete(check_workflow_name(name))

    @get(
        "/{name:str}/versions",
        summary="A workflow's versions, newest first",
        responses={
            **errors(400, 404, not_found=_NOT_FOUND),
            **example(
                200,
                "The versions",
                {
                    "name": "sums",
                    "versions": [
                        {"version": 2, "updated": "2025-01-31T12:00:00.000Z"},
                        {"version": 1, "updated": "2025-01-30T09:30:00.000Z"},
                    ],
                },
            ),
        },
    )
    async def list_versions(self, state: State, name: str) -> dict[str, Any]:
        return await state.workflows.version_list(check_workflow_name(name))

    @get(
        "/{name:str}/versions/{version:int}",
        summary="One version of a workflow",
        description="Version n is the n-th save still kept (1 = the oldest).",
        responses={**errors(400, 404, not_found=_NOT_FOUND), **example(200, "The version", WORKFLOW_EXAMPLE)},
    )
    async def get_version(self, state: State, name: str, version: int) -> dict[str, Any]:
        return await state.workflows.get(check_workflow_name(name), version)

    @post(
        "/{name:str}/versions/{version:int}/restore",
        status_code=200,
        summary="Save an old version again as the newest one",
        responses={**errors(400, 404, 413, not_found=_NOT_FOUND), **example(200, "Restored", WORKFLOW_SAVED_EXAMPLE)},
    )
    async def restore(self, state: State, name: str, version: int) -> dict[str, Any]:
        return await state.workflows.restore(check_workflow_name(name), version)

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
            "SSE answer:\n```\n" + SSE_EXAMPLE + "```"
        ),
        responses={
            **errors(400, 404, 413, 422, 429, not_found=_NOT_FOUND),
            **example(200, "The view results (SSE events with Accept: text/event-stream)", SPEC_RESULTS),
        },
    )
    async def run(
        self,
        state: State,
        request: Request,
        name: str,
        data: Annotated[
            WorkflowRun | None,
            Body(
                description="Input values by variable name; optional env_vars and cache as for /execute",
                examples=[Example(summary="Set the variable named x to 5", value=WORKFLOW_RUN_EXAMPLE)],
            ),
        ] = None,
    ) -> Response[Any]:
        execute = await state.workflows.run_request(check_workflow_name(name), data or WorkflowRun())
        if "text/event-stream" in request.headers.get("accept", ""):
            return await run_streamed(state, request, execute)
        return await run_folded(state, request, execute)
