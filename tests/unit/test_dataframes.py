"""pandas DataFrames through the value codec: intact between nodes, a table preview for clients."""

from __future__ import annotations

import json
import pickle
from typing import Any

import msgspec
import numpy as np
import pytest

from psynapse_common import codec, frames

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


def _frame() -> object:
    return pd.DataFrame(
        {
            "count": np.array([1, 2, 3], dtype="int32"),
            "ratio": np.array([0.5, None, 1.5], dtype="float32"),
            "name": ["a", "b", None],
            "kind": pd.Categorical(["x", "y", "x"]),
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", None]).tz_localize("UTC"),
            "maybe": pd.array([1, None, 3], dtype="Int64"),
        },
        index=pd.Index(["r1", "r2", "r3"], name="key"),
    )


def _ext(data: bytes) -> tuple[str, bytes]:
    ext = msgspec.msgpack.decode(data, ext_hook=lambda code, payload: msgspec.msgpack.Ext(code, bytes(payload)))
    assert ext.code == codec.EXT_DATAFRAME
    _, kind, blob = msgspec.msgpack.decode(ext.data)
    return kind, blob


def test_a_frame_round_trips_with_its_dtypes_and_index():
    frame: Any = _frame()  # pandas comes through importorskip: its frames are untyped here
    data = codec.encode(frame)
    kind, _ = _ext(data)
    assert kind == frames.ARROW
    back: Any = codec.decode(data)
    pd.testing.assert_frame_equal(back, frame)
    assert [str(dtype) for dtype in back.dtypes] == [str(dtype) for dtype in frame.dtypes]
    assert back.index.name == "key"


def test_a_range_index_and_a_multiindex_come_back():
    plain = pd.DataFrame({"v": [1.0, 2.0]})
    pd.testing.assert_frame_equal(codec.decode(codec.encode(plain)), plain)
    index = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["letter", "number"])
    nested = pd.DataFrame({"v": [1, 2]}, index=index)
    pd.testing.assert_frame_equal(codec.decode(codec.encode(nested)), nested)


def test_a_frame_arrow_cannot_hold_is_pickled_and_still_intact():
    frame = pd.DataFrame({"thing": [{1, 2}, frozenset({3})]})
    data = codec.encode(frame)
    kind, blob = _ext(data)
    assert kind == frames.PICKLE
    assert pickle.loads(blob).equals(frame)
    assert codec.decode(data)["thing"].tolist() == [{1, 2}, frozenset({3})]


def test_show_gives_a_table_preview_without_reviving_the_frame():
    shown = codec.show(codec.encode(_frame()))
    assert shown["kind"] == "dataframe"
    assert shown["shape"] == [3, 6]
    assert shown["columns"] == ["count", "ratio", "name", "kind", "when", "maybe"]
    assert shown["dtypes"][:2] == ["int32", "float32"]
    assert shown["dtypes"][3] == "category"
    assert shown["index_name"] == "key"
    assert shown["index"] == ["r1", "r2", "r3"]
    assert shown["rows"][0] == [1, 0.5, "a", "x", "2024-01-01T00:00:00.000Z", 1]
    assert shown["rows"][1][1] is None and shown["rows"][1][5] is None  # NaN and NA as null
    json.dumps(shown, allow_nan=False)


def test_the_preview_is_the_first_rows_and_columns_only():
    frame = pd.DataFrame(np.arange(100 * 60).reshape(100, 60))
    shown = codec.show(codec.encode(frame))
    assert shown["shape"] == [100, 60]
    assert len(shown["rows"]) == frames.PREVIEW_ROWS
    assert len(shown["columns"]) == len(shown["rows"][0]) == frames.PREVIEW_COLUMNS
    assert shown["index"][:3] == ["0", "1", "2"]
    assert shown["index_name"] is None


def test_a_frame_inside_a_dict_shows_and_round_trips_there():
    value = {"table": _frame(), "n": 1}
    assert codec.show(codec.encode(value))["table"]["kind"] == "dataframe"
    pd.testing.assert_frame_equal(codec.decode(codec.encode(value))["table"], _frame())
    assert codec.to_jsonable(value)["table"]["shape"] == [3, 6]


def test_cells_json_cannot_write_show_as_text():
    frame = pd.DataFrame({"z": [1 + 2j, 3j]})
    shown = codec.show(codec.encode(frame))
    assert shown["dtypes"] == ["complex128"]
    assert len(shown["rows"]) == 2
    json.dumps(shown, allow_nan=False)


@pytest.mark.parametrize(
    "make",
    [
        lambda: pd.DataFrame(np.arange(6).reshape(3, 2)),
        lambda: pd.DataFrame([[1, 2]], columns=["a", "a"]),
        lambda: pd.DataFrame({"p": pd.period_range("2024-01", periods=3, freq="M")}),
        lambda: pd.DataFrame({"i": pd.interval_range(0, 3)}),
        lambda: pd.DataFrame(np.ones((2, 2)), columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
        lambda: pd.DataFrame({"d": pd.to_timedelta([1, 2], unit="s")}),
        lambda: pd.DataFrame({"b": [b"x", b"y"]}),
        lambda: pd.DataFrame(),
    ],
    ids=["int-labels", "duplicate-labels", "period", "interval", "multiindex-columns", "timedelta", "bytes", "empty"],
)
def test_other_shapes_and_dtypes_round_trip(make):
    frame = make()
    pd.testing.assert_frame_equal(codec.decode(codec.encode(frame)), frame)
    shown = codec.show(codec.encode(frame))
    assert shown["shape"] == list(frame.shape)
    assert shown["dtypes"] == [str(dtype) for dtype in frame.dtypes]
    json.dumps(shown, allow_nan=False)


def test_a_datetime_index_comes_back_without_its_freq():
    # Arrow keeps the times and their zone, not the index's freq: documented, not hidden.
    frame = pd.DataFrame({"v": [1, 2]}, index=pd.date_range("2024-01-01", periods=2, tz="Europe/Paris"))
    back = codec.decode(codec.encode(frame))
    assert back.index.freq is None
    pd.testing.assert_frame_equal(back, frame, check_freq=False)
