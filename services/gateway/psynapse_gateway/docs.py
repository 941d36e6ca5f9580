"""What the OpenAPI document says beyond the types: error answers, headers, and the examples
that add something (the spec's results, SSE, a saved graph's free-form node data)."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import ResponseHeader
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

from .bodies import ErrorBody

RUN_ID_HEADER = ResponseHeader(
    name="X-Run-Id",
    description="The run's id, for GET /runs/{run_id}, its events and its cancel",
    documentation_only=True,
)


def errors(*codes: int, not_found: str = "No such run") -> dict[int, ResponseSpec]:
    described = {
        400: "The body or the graph is wrong; `detail` names the node and the cause",
        404: not_found,
        413: "The body is larger than PSYNAPSE_MAX_BODY_BYTES",
        422: "More nodes or edges than the limits allow; `detail` names the setting",
        429: "Too many runs of this client in flight; `detail` names PSYNAPSE_MAX_RUNS_PER_CLIENT",
        503: "NATS is unreachable or electing a leader; try again after Retry-After",
    }
    return {
        code: ResponseSpec(data_container=ErrorBody, description=described[code], generate_examples=False)
        for code in codes
    }


def example(code: int, description: str, value: Any, data_container: Any) -> dict[int, ResponseSpec]:
    """An answer of type ``data_container``, documented with an example of it."""
    return {
        code: ResponseSpec(
            data_container=data_container,
            description=description,
            generate_examples=False,
            examples=[Example(summary=description, value=value)],
        )
    }


SPEC_RESULTS = (
    "The answer for the spec's example graph:\n```\n"
    '{"results": {"View": 48.0, "ListView": [8.0, 6.0]}}\n```\n'
    "With `errors` ({node_id: message}) beside `results` when a node failed, and `error` when the run did."
)
SSE_EXAMPLE = (
    'id: 3000\ndata: {"node_id":"F1","node_number":5,"node_name":"add","status":"executing",'
    '"inputs":{"a":5,"b":3}}\n\n...\n\n'
    'id: 9001\ndata: {"status":"done","results":{"View":48.0,"ListView":[8.0,6.0]}}\n\n'
)
WORKFLOW_RUN_EXAMPLE = {"inputs": {"x": 5}, "env_vars": {"OPENAI_API_KEY": "sk-..."}, "cache": True}
# Node data is free-form (each node type has its own): an example says more than the type.
WORKFLOW_EXAMPLE = {
    "name": "sums",
    "version": 3,
    "updated": "2025-01-31T12:00:00.000Z",
    "workflow": {
        "nodes": [
            {
                "id": "x",
                "type": "variableNode",
                "position": {"x": 0, "y": 0},
                "data": {"variableType": "Number", "variableValue": 5, "variableName": "x"},
            },
            {
                "id": "f",
                "type": "functionNode",
                "position": {"x": 240, "y": 0},
                "data": {"functionName": "add", "b": 3},
            },
            {"id": "v", "type": "viewNode", "position": {"x": 480, "y": 0}, "data": {}},
        ],
        "edges": [
            {"id": "e1", "source": "x", "target": "f", "sourceHandle": "output", "targetHandle": "a"},
            {"id": "e2", "source": "f", "target": "v", "sourceHandle": "output", "targetHandle": "input"},
        ],
        "description": "x + 3",
    },
}
