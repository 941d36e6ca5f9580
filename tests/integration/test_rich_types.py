"""Rich types over real HTTP, NATS and runners: /get_schema carries their JSON Schemas, a dict
typed in a node (or a variable's) arrives as the dataclass, a dataclass output feeds a
TypedDict input, and a value that does not fit is the node's error naming the field."""

from __future__ import annotations

import base64
import io

from PIL import Image

from tests.support.graphs import edge, fn, graph, var, view


def schema_of(client, name: str) -> dict:
    return next(s for s in client.get("/get_schema").json() if s["name"] == name)


def test_get_schema_has_the_json_schemas(stack):
    with stack.client() as client:
        canvas = schema_of(client, "describe_canvas")
        shade = schema_of(client, "shade_name")
        image = schema_of(client, "image_size")
        size = schema_of(client, "make_size")
    [param] = canvas["params"]
    assert param["type"] == "Canvas"
    assert param["json_schema"]["required"] == ["title", "size"]
    assert param["json_schema"]["$defs"]["Size"]["properties"]["width"] == {
        "title": "Width",
        "type": "integer",
        "minimum": 1,
        "maximum": 4096,
    }
    assert shade["params"][0]["json_schema"]["enum"] == ["light", "dark"]
    assert image["params"][0]["json_schema"]["x-psynapse"] == "image"
    assert size["returns"][0]["json_schema"]["title"] == "Size"


def test_a_dict_arrives_as_the_dataclass(stack):
    value = {"title": "poster", "size": {"width": 300}, "shade": "dark", "opacity": 0.5}
    body = graph(
        [
            fn("typed", "describe_canvas", canvas=value),
            view("w1"),
            var("object", {"title": "card", "size": {"width": 90, "height": 60}}, kind="Object"),
            fn("wired", "describe_canvas"),
            view("w2"),
            fn("shade", "shade_name", shade="light"),
            view("w3"),
            fn("size", "make_size", width=3, height=4),
            fn("area", "size_area"),
            view("w4"),
        ],
        [
            edge("typed", "w1"),
            edge("object", "wired", "canvas"),
            edge("wired", "w2"),
            edge("shade", "w3"),
            edge("size", "area", "size"),
            edge("area", "w4"),
        ],
    )
    with stack.client() as client:
        response = client.post("/execute", json=body).json()
    assert "errors" not in response, response
    assert response["results"] == {
        "w1": "poster: 300x512 dark fast 0.5",
        "w2": "card: 90x60 light fast 1.0",
        "w3": "LIGHT",
        "w4": 12,
    }


def test_a_value_that_does_not_fit_is_the_nodes_error_naming_the_field(stack):
    body = graph(
        [
            fn("bad", "describe_canvas", canvas={"title": "t", "size": {"width": 0}}),
            view("w1"),
            fn("shade", "shade_name", shade="blue"),
            view("w2"),
        ],
        [edge("bad", "w1"), edge("shade", "w2")],
    )
    with stack.client() as client:
        response = client.post("/execute", json=body).json()
    assert response["errors"]["bad"] == (
        "input 'canvas': field 'size.width': Input should be greater than or equal to 1 (got 0)"
    )
    assert response["errors"]["shade"] == "input 'shade': Input should be 'light' or 'dark' (got 'blue')"


def test_an_image_variable_arrives_as_a_pil_image_and_a_list_as_an_array(stack):
    buffer = io.BytesIO()
    Image.new("RGB", (5, 3)).save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    body = graph(
        [
            var("picture", url, kind="Image"),
            fn("size", "image_size"),
            view("w1"),
            fn("shape", "array_shape", array=[[1, 2, 3], [4, 5, 6]]),
            view("w2"),
        ],
        [edge("picture", "size", "image"), edge("size", "w1"), edge("shape", "w2")],
    )
    with stack.client() as client:
        response = client.post("/execute", json=body).json()
    assert response == {"results": {"w1": "5x3", "w2": "2x3"}}
