"""What the OpenAPI document says of answers other than success."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example


class ErrorBody(msgspec.Struct):
    status_code: int
    detail: str


class NodepacksBody(msgspec.Struct):
    packs: list[dict[str, Any]]
    clashes: list[dict[str, Any]]


def errors(*codes: int, not_found: str = "No such run") -> dict[int, ResponseSpec]:
    described = {
        400: "The body or the graph is wrong; `detail` names the node and the cause",
        404: not_found,
        413: "The body is larger than PSYNAPSE_MAX_BODY_BYTES",
        422: "More nodes or edges than the limits allow; `detail` names the setting",
        429: "Too many runs of this client in flight",
        503: "NATS or a service is down",
    }
    return {code: ResponseSpec(data_container=ErrorBody, description=described[code]) for code in codes}


def example(code: int, description: str, value: Any, media_type: str = "application/json") -> dict[int, ResponseSpec]:
    """An answer documented by an example of it."""
    return {
        code: ResponseSpec(
            data_container=dict[str, Any] if media_type == "application/json" else str,
            description=description,
            media_type=media_type,
            generate_examples=False,
            examples=[Example(summary=description, value=value)],
        )
    }


SPEC_RESULTS = {"results": {"View": 48.0, "ListView": [8.0, 6.0]}}
SSE_EXAMPLE = (
    'id: 3000\ndata: {"node_id":"F1","node_number":5,"node_name":"add","status":"executing",'
    '"inputs":{"a":5,"b":3}}\n\n...\n\n'
    'id: 9001\ndata: {"status":"done","results":{"View":48.0,"ListView":[8.0,6.0]}}\n\n'
)
WORKFLOW_RUN_EXAMPLE = {"inputs": {"x": 5}, "env_vars": {"OPENAI_API_KEY": "sk-..."}, "cache": True}
WORKFLOW_SAVED_EXAMPLE = {"name": "sums", "version": 3, "updated": "2025-01-31T12:00:00.000Z"}
WORKFLOW_EXAMPLE = {
    **WORKFLOW_SAVED_EXAMPLE,
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
RUN_LIST_EXAMPLE = {
    "runs": [
        {
            "run_id": "0f6c2b1e9d5a4c3b8a7f6e5d4c3b2a19",
            "workflow": "sums",
            "status": "done",
            "started_at": 1738324800.12,
            "finished_at": 1738324800.31,
            "duration_ms": 190.0,
            "node_count": 3,
        },
    ]
}
RUN_DETAIL_EXAMPLE = {
    "run_id": "0f6c2b1e9d5a4c3b8a7f6e5d4c3b2a19",
    "status": "done",
    "workflow": "sums",
    "started_at": 1738324800.12,
    "finished_at": 1738324800.31,
    "duration_ms": 190.0,
    "node_count": 3,
    "results": {"v": 8.0},
    "errors": {},
    "error": None,
    "nodes": {
        "f": {
            "node_name": "add",
            "status": "completed",
            "duration_ms": 0.02,
            "inputs": {"a": 5, "b": 3},
            "output": 8.0,
            "error": None,
            "error_kind": None,
            "traceback": None,
            "cached": False,
        },
    },
}
RUN_GRAPH_EXAMPLE = {
    "run_id": "0f6c2b1e9d5a4c3b8a7f6e5d4c3b2a19",
    "workflow": "sums",
    "nodes": [
        {
            "id": "x",
            "type": "variableNode",
            "position": {"x": 0, "y": 0},
            "data": {"variableType": "Number", "variableValue": 5},
        },
        {"id": "f", "type": "functionNode", "position": {"x": 240, "y": 0}, "data": {"functionName": "add", "b": 3}},
        {"id": "v", "type": "viewNode", "position": {"x": 480, "y": 0}, "data": {}},
    ],
    "edges": [
        {"source": "x", "target": "f", "sourceHandle": "output", "targetHandle": "a"},
        {"source": "f", "target": "v", "sourceHandle": "output", "targetHandle": "input"},
    ],
}
