"""What the OpenAPI document says of answers other than success."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec


class ErrorBody(msgspec.Struct):
    status_code: int
    detail: str


class NodepacksBody(msgspec.Struct):
    packs: list[dict[str, Any]]
    clashes: list[dict[str, Any]]


def errors(*codes: int) -> dict[int, ResponseSpec]:
    described = {
        400: "The body or the graph is wrong; `detail` names the node and the cause",
        404: "No such run",
        413: "The body is larger than PSYNAPSE_MAX_BODY_BYTES",
        422: "More nodes or edges than the limits allow; `detail` names the setting",
        429: "Too many runs of this client in flight",
        503: "NATS or a service is down",
    }
    return {code: ResponseSpec(data_container=ErrorBody, description=described[code]) for code in codes}
