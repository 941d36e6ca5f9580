"""Rich parameter types: each gets its JSON Schema in the node's schema (bounds folded in), and
the JSON a graph gives becomes the object the node expects, or a named error."""

from __future__ import annotations

import base64
import dataclasses
import enum
import io
import typing
from types import SimpleNamespace
from typing import Annotated, Any, Literal

import numpy as np
import pydantic
import pytest
from annotated_types import Ge, Le
from PIL import Image

from psynapse_common.conversion import ConversionError
from psynapse_common.conversion import convert_input as convert
from psynapse_common.invoke import NodeInputError, prepare_kwargs
from psynapse_common.nodepacks.introspect import introspect
from psynapse_common.rich_types import json_schema


class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Size:
    width: Annotated[int, Ge(1), Le(4096)]
    height: int = 512


@dataclasses.dataclass
class Canvas:
    title: str
    size: Size
    shade: Shade = Shade.LIGHT


class SizeDict(typing.TypedDict):
    width: int
    height: int


class PartialDict(typing.TypedDict, total=False):
    note: str


class Label(pydantic.BaseModel):
    text: str
    points: Annotated[int, Ge(6), Le(72)] = 12


SIZE_SCHEMA = {
    "title": "Size",
    "type": "object",
    "properties": {
        "width": {"title": "Width", "type": "integer", "minimum": 1, "maximum": 4096},
        "height": {"title": "Height", "type": "integer", "default": 512},
    },
    "required": ["width"],
}


def test_an_enum_is_a_string_enum():
    assert json_schema(Shade) == {"title": "Shade", "type": "string", "enum": ["light", "dark"]}
    assert json_schema(Level) == {"title": "Level", "type": "integer", "enum": [1, 2]}


def test_a_literal_is_an_enum():
    assert json_schema(Literal["fast", "best"]) == {"type": "string", "enum": ["fast", "best"]}


def test_a_dataclass_is_an_object_with_its_bounds_folded_in():
    assert json_schema(Size) == SIZE_SCHEMA


def test_nested_types_are_defs():
    schema = json_schema(Canvas)
    assert schema is not None
    assert schema["properties"]["size"] == {"$ref": "#/$defs/Size"}
    assert schema["properties"]["shade"] == {"$ref": "#/$defs/Shade", "default": "light"}
    assert schema["$defs"]["Size"] == SIZE_SCHEMA
    assert schema["required"] == ["title", "size"]


def test_a_typing_typeddict_works_before_python_312():
    assert json_schema(SizeDict) == {
        "title": "SizeDict",
        "type": "object",
        "properties": {
            "width": {"title": "Width", "type": "integer"},
            "height": {"title": "Height", "type": "integer"},
        },
        "required": ["width", "height"],
    }
    partial = json_schema(PartialDict)
    assert partial is not None and "required" not in partial


def test_a_pydantic_model():
    assert json_schema(Label) == {
        "title": "Label",
        "type": "object",
        "properties": {
            "text": {"title": "Text", "type": "string"},
            "points": {"title": "Points", "type": "integer", "minimum": 6, "maximum": 72, "default": 12},
        },
        "required": ["text"],
    }


def test_bounds_alone_give_a_schema_plain_types_none():
    assert json_schema(Annotated[int, Ge(0), Le(100)]) == {"type": "integer", "minimum": 0, "maximum": 100}
    assert json_schema(Size | None) == {
        "$defs": {"Size": SIZE_SCHEMA},
        "anyOf": [{"$ref": "#/$defs/Size"}, {"type": "null"}],
    }
    for plain in (int, str, list[int], dict[str, Any], str | None, Annotated[str, str.isidentifier]):
        assert json_schema(plain) is None, plain


def test_images_and_arrays_say_what_they_are():
    assert json_schema(Image.Image) == {"type": "string", "contentMediaType": "image/png", "x-psynapse": "image"}
    assert json_schema(np.ndarray | None) == {"type": "array", "x-psynapse": "ndarray"}


def draw(canvas: Canvas, shade: Shade = Shade.DARK, label: Label | None = None) -> Size:
    return canvas.size


def test_the_node_schema_has_json_schema_per_param_and_return_and_keeps_its_type():
    schema = introspect(draw, "function", name="draw", filepath="f.py", nodepack="p").schema
    canvas, shade, label = schema["params"]
    assert (canvas["type"], shade["type"], label["type"]) == ("Canvas", "Shade", "Optional[Label]")
    assert canvas["json_schema"] == json_schema(Canvas)
    # An Enum default is its value, as JSON carries it.
    assert shade["default"] == "dark" and shade["json_schema"]["enum"] == ["light", "dark"]
    assert label["json_schema"]["anyOf"][1] == {"type": "null"}
    assert schema["returns"] == [{"name": "result", "type": "Size", "json_schema": SIZE_SCHEMA}]


def test_a_dict_becomes_the_dataclass_nested_too():
    canvas = convert({"title": "t", "size": {"width": "64"}, "shade": "dark"}, Canvas)
    assert canvas == Canvas("t", Size(64, 512), Shade.DARK)
    assert convert('{"width": 3, "height": 4}', Size) == Size(3, 4)  # JSON text typed in a field
    assert convert(None, Size | None) is None
    assert convert([{"width": 1}], list[Size]) == [Size(1)]


def test_a_string_becomes_the_enum_member_by_value_or_name():
    assert convert("dark", Shade) is Shade.DARK
    assert convert("LIGHT", Shade) is Shade.LIGHT
    assert convert("2", Level) is Level.HIGH
    assert convert(Shade.DARK, Shade) is Shade.DARK


def test_typeddicts_and_models():
    assert convert({"width": "2", "height": 3}, SizeDict) == {"width": 2, "height": 3}
    assert convert({"text": "hi"}, Label) == Label(text="hi", points=12)


def test_a_value_that_does_not_fit_names_the_field():
    with pytest.raises(
        ConversionError, match=r"^field 'size\.width': Input should be greater than or equal to 1 \(got 0\)$"
    ):
        convert({"title": "t", "size": {"width": 0}}, Canvas)
    with pytest.raises(
        ConversionError, match=r"^field 'title': is required; field 'shade': Input should be 'light' or 'dark'"
    ):
        convert({"size": {"width": 1}, "shade": "blue"}, Canvas)
    with pytest.raises(ConversionError, match="Input should be 'light' or 'dark'"):
        convert("blue", Shade)
    with pytest.raises(ConversionError, match="is not valid JSON"):
        convert("{width: 1}", Size)


def test_the_node_input_error_names_the_input_and_the_field():
    info = introspect(draw, "function", name="draw", filepath="f.py", nodepack="p")
    spec = SimpleNamespace(schema=info.schema, param_types=info.param_types, rules=info.rules)
    kwargs = prepare_kwargs(spec, {"canvas": {"title": "t", "size": {"width": 5}}, "shade": "light"})
    assert kwargs == {"canvas": Canvas("t", Size(5)), "shade": Shade.LIGHT}
    with pytest.raises(NodeInputError) as raised:
        prepare_kwargs(spec, {"canvas": {"title": "t", "size": {"width": 5000}}})
    assert (
        str(raised.value) == "input 'canvas': field 'size.width': Input should be less than or equal to 4096 (got 5000)"
    )


def png_data_url(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 255)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def test_a_data_url_becomes_an_image_or_an_array():
    image = convert(png_data_url(3, 2), Image.Image)
    assert isinstance(image, Image.Image) and image.size == (3, 2)
    array = convert(png_data_url(3, 2), np.ndarray)
    assert isinstance(array, np.ndarray) and array.shape == (2, 3, 3)
    assert convert([[1, 2], [3, 4]], np.ndarray).shape == (2, 2)
    assert convert(Image.new("RGB", (4, 3)), np.ndarray).shape == (3, 4, 3)  # another node's image, as pixels
    already = Image.new("L", (1, 1))
    assert convert(already, Image.Image) is already
    with pytest.raises(ConversionError, match="the image cannot be read"):
        convert("data:image/png;base64,AAAA", Image.Image)


def test_a_dataclass_or_model_fits_a_dict_input_of_its_shape():
    assert convert(Size(3, 4), SizeDict) == {"width": 3, "height": 4}
    assert convert(Canvas("t", Size(1)), dict) == {
        "title": "t",
        "size": {"width": 1, "height": 512},
        "shade": Shade.LIGHT,
    }
    assert convert(Label(text="x"), dict[str, Any]) == {"text": "x", "points": 12}
    assert convert(Size(3, 4), Size) == Size(3, 4)
