"""Conversions, variable semantics, the value codec and the env lock."""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from typing import Any, Literal, Optional

import numpy as np
import pytest
from PIL import Image

from psynapse_common import codec
from psynapse_common.conversion import ConversionError, convert, variable_value


@pytest.mark.parametrize(
    ("value", "hint", "expected"),
    [
        ("3", int, 3),
        ("3.0", int, 3),
        (4.0, int, 4),
        (True, int, True),
        ("2.5", float, 2.5),
        (2, float, 2.0),
        (12, str, "12"),
        ("false", bool, False),
        ("YES", bool, True),
        ("0", bool, False),
        (1, bool, True),
        ("[1, 2]", list, [1, 2]),
        ('{"a": 1}', dict, {"a": 1}),
        (None, Optional[int], None),
        ("5", Optional[int], 5),
        ("b", Literal["a", "b"], "b"),
        ("2", Literal[1, 2], 2),
        ({"x": 1}, Any, {"x": 1}),
    ],
)
def test_convert(value, hint, expected):
    result = convert(value, hint)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "hint"),
    [("seven", int), ("3.5", int), ("maybe", bool), ("x", float), ("[1", list), ("c", Literal["a", "b"])],
)
def test_convert_refuses_with_a_reason(value, hint):
    with pytest.raises(ConversionError):
        convert(value, hint)


def test_variable_values_and_formats():
    assert variable_value({"variableType": "Number", "variableValue": "5"}) == 5
    assert variable_value({"variableType": "Number", "variableValue": "5.5"}) == 5.5
    assert variable_value({"variableType": "Boolean", "variableValue": "true"}) is True
    assert variable_value({"variableType": "List", "variableValue": "[1]"}) == [1]
    assert variable_value({"variableType": "Object", "variableValue": {"a": 1}}) == {"a": 1}
    assert variable_value(
        {"variableType": "String", "variableValue": "hi", "llmMessageFormat": True, "llmMessageRole": "assistant"}
    ) == {"role": "assistant", "content": "hi"}
    assert variable_value({"variableType": "String", "variableValue": "hi", "textContentFormat": True}) == {
        "type": "text",
        "content": "hi",
    }
    url = "data:image/png;base64,AA"
    assert variable_value({"variableType": "Image", "variableValue": url, "imageContentFormat": True}) == {
        "type": "image_url",
        "image_url": {"url": url},
    }
    # An image as an LLM message is the spec's "Image Message Format", with or without
    # "image content" checked: what an OpenAI vision call needs.
    image_message = {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}
    for image_content in (False, True):
        assert (
            variable_value(
                {
                    "variableType": "Image",
                    "variableValue": url,
                    "llmMessageFormat": True,
                    "imageContentFormat": image_content,
                }
            )
            == image_message
        )
    with pytest.raises(ConversionError):
        variable_value({"variableType": "Number", "variableValue": "five"})
    with pytest.raises(ConversionError):
        variable_value({"variableType": "Tensor", "variableValue": "x"})


@dataclasses.dataclass
class Pair:
    a: int
    b: str


class Opaque:
    def __repr__(self) -> str:
        return "Opaque()"


def test_codec_round_trips_rich_values():
    image = Image.new("RGB", (3, 2), (0, 255, 0))
    array = np.arange(6, dtype="int32").reshape(2, 3)
    values = [1, 2.5, "s", None, [1, {"k": b"bytes"}], {1, 2}, Pair(1, "x"), array, image, np.float32(1.5)]
    decoded = [codec.decode(codec.encode(v)) for v in values]
    assert decoded[:5] == values[:5]
    assert decoded[5] == {1, 2}
    assert decoded[6] == Pair(1, "x")
    assert np.array_equal(decoded[7], array) and decoded[7].dtype == np.int32
    assert decoded[8].size == (3, 2) and decoded[8].getpixel((0, 0)) == (0, 255, 0)
    assert decoded[9] == 1.5


def test_show_never_unpickles_and_gives_json():
    assert codec.show(codec.encode(Opaque())) == "Opaque()"
    assert codec.show(codec.encode(Image.new("RGB", (1, 1)))).startswith("data:image/png;base64,")
    assert codec.show(codec.encode(np.ones((2, 2)))) == [[1.0, 1.0], [1.0, 1.0]]
    assert codec.show(codec.encode({"raw": b"abc", "t": (1, 2)})) == {"raw": "<3 bytes>", "t": [1, 2]}
    unpicklable = threading.Lock()
    shown = codec.show(codec.encode(unpicklable))
    assert "lock" in shown
    with pytest.raises(ValueError, match="cannot be pickled"):
        codec.decode(codec.encode(unpicklable))


def test_env_lock_isolates_env_nodes_and_restores():
    from psynapse_runner.envlock import EnvLock

    lock = EnvLock()
    seen: list[str | None] = []
    os.environ.pop("PSY_LOCK_TEST", None)

    def env_node() -> None:
        with lock.around({"PSY_LOCK_TEST": "x"}):
            time.sleep(0.05)

    def plain_node() -> None:
        for _ in range(20):
            with lock.around(None):
                seen.append(os.environ.get("PSY_LOCK_TEST"))
            time.sleep(0.005)

    threads = [threading.Thread(target=env_node), threading.Thread(target=plain_node)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [None] * 20
    assert "PSY_LOCK_TEST" not in os.environ
    with pytest.raises(RuntimeError), lock.around({"PSY_LOCK_TEST": "y"}):
        raise RuntimeError("node failed")
    assert "PSY_LOCK_TEST" not in os.environ


def test_dates_and_times_show_as_iso_text_aware_or_not():
    import datetime

    aware = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    for value, text in [
        (aware, "2026-01-02T03:04:05+00:00"),
        (datetime.datetime(2026, 1, 2, 3, 4), "2026-01-02T03:04:00"),
        (datetime.date(2026, 1, 2), "2026-01-02"),
        (datetime.time(3, 4), "03:04:00"),
    ]:
        assert codec.to_jsonable(value) == text
        assert codec.show(codec.encode(value)) == text
        assert codec.decode(codec.encode(value)) == value
