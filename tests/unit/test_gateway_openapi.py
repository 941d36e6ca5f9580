"""The gateway's OpenAPI document is generated from its response types (psynapse_gateway.bodies)."""

from __future__ import annotations

import inspect
from typing import Any

import msgspec
import pytest

from psynapse_common.settings import Settings
from psynapse_gateway import bodies
from psynapse_gateway.app import create_app

# Each endpoint's success answer, by the type that makes it.
ANSWERS = {
    ("get", "/"): "ApiRoot",
    ("get", "/health"): "Health",
    ("get", "/nodepacks"): "NodepacksResponse",
    ("post", "/execute"): "ExecuteResponse",
    ("get", "/runs"): "RunList",
    ("get", "/runs/{run_id}"): "RunDetail",
    ("get", "/runs/{run_id}/graph"): "RunGraph",
    ("post", "/runs/{run_id}/cancel"): "CancelAccepted",
    ("get", "/workflows"): "WorkflowList",
    ("put", "/workflows/{name}"): "WorkflowSaved",
    ("get", "/workflows/{name}"): "WorkflowRecord",
    ("get", "/workflows/{name}/versions"): "WorkflowVersions",
    ("get", "/workflows/{name}/versions/{version}"): "WorkflowRecord",
    ("post", "/workflows/{name}/versions/{version}/restore"): "WorkflowSaved",
    ("post", "/workflows/{name}/run"): "ExecuteResponse",
}
RUNS_STARTED = [("post", "/execute"), ("post", "/execute/stream"), ("post", "/workflows/{name}/run")]
# The workflow run answers JSON or SSE by Accept: its 200 names the JSON type, its text the header.
RUN_ID_HEADERS = RUNS_STARTED[:2]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # Built, not served: no lifespan, so no NATS is needed to read it.
    return create_app(Settings()).openapi_schema.to_schema()


def _response_structs() -> list[type[msgspec.Struct]]:
    return [
        value
        for value in vars(bodies).values()
        if inspect.isclass(value) and issubclass(value, msgspec.Struct) and value.__module__ == bodies.__name__
    ]


def _success(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    responses = document["paths"][path][method]["responses"]
    code = next(code for code in responses if code.startswith("2"))
    return responses[code]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("struct", _response_structs(), ids=lambda struct: struct.__name__)
def test_every_response_type_is_a_component_naming_its_fields(document, struct):
    fields = msgspec.structs.fields(struct)
    component = document["components"]["schemas"].get(struct.__name__)
    if struct is bodies.CatalogRevision:
        # The data of /catalog/events' SSE messages: no JSON answer of its own.
        assert component is None
        return
    assert component is not None, f"{struct.__name__} is in no answer of the document"
    assert list(component["properties"]) == [field.encode_name for field in fields]
    # A field with a default may be left out (UNSET) or has its default: only the others are required.
    required = sorted(field.encode_name for field in fields if field.required)
    assert sorted(component.get("required", [])) == required


@pytest.mark.parametrize(("method", "path"), list(ANSWERS), ids=lambda item: str(item))
def test_each_endpoint_answers_its_type(document, method, path):
    assert _success(document, method, path) == {"$ref": f"#/components/schemas/{ANSWERS[(method, path)]}"}


def test_the_spec_fixed_shapes_and_the_optional_fields(document):
    schemas = document["components"]["schemas"]
    assert _success(document, "get", "/get_schema") == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/NodeSchema"},
    }
    # /execute's answer: the spec's results always; errors and error only when there are some.
    assert schemas["ExecuteResponse"]["required"] == ["results"]
    assert set(schemas["Health"]["properties"]) - set(schemas["Health"]["required"]) == {"pools_error"}
    assert set(schemas["ParamSchema"]["required"]) == {"name", "type"}
    assert schemas["RunSummary"]["properties"]["status"]["enum"] == ["running", "done", "failed", "cancelled"]
    # An unhealthy gateway answers 503 with the same body.
    health_503 = document["paths"]["/health"]["get"]["responses"]["503"]
    assert health_503["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}


@pytest.mark.parametrize(("method", "path"), RUNS_STARTED, ids=lambda item: str(item))
def test_run_endpoints_document_their_run_id_and_their_refusals(document, method, path):
    operation = document["paths"][path][method]
    if (method, path) in RUN_ID_HEADERS:
        assert "X-Run-Id" in operation["responses"]["200"]["headers"]
    else:
        assert "X-Run-Id" in operation["responses"]["200"]["description"]
    for code in ("400", "413", "422", "429", "503"):
        error = operation["responses"][code]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/ErrorBody"}, code
