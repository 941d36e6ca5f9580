"""pandas DataFrames as they travel (Arrow IPC) and as clients see them (a table preview).

A frame travels as an Arrow IPC stream when pyarrow is installed: Arrow keeps every
column's dtype (int32 stays int32, categoricals, time zones, nullable integers, pandas'
strings) and the index, through the pandas metadata ``Table.from_pandas`` writes, and it is
a documented format any Arrow reader understands, not one pandas version's object layout.
(A DatetimeIndex comes back without its ``freq``, which Arrow does not keep.)
A frame Arrow cannot hold (a column of arbitrary Python objects), or one written where
pyarrow is missing, is pickled instead, which is how any other object travels.

Beside the data, the writer (a runner, which has pandas) puts a preview: shape, columns,
dtypes and the first rows as JSON. Services that only show values (the gateway) read the
preview and never need pandas or pyarrow.
"""

from __future__ import annotations

import io
import json
import pickle
from typing import Any

PREVIEW_ROWS = 20
PREVIEW_COLUMNS = 50
ARROW = "arrow"
PICKLE = "pickle"
_INSTALL = "pip install 'psynapse[data]'"


def is_frame(obj: Any) -> bool:
    """A pandas DataFrame itself (a subclass travels pickled, as the object it is)."""
    kind = type(obj)
    return kind.__name__ == "DataFrame" and kind.__module__ in ("pandas", "pandas.core.frame")


def dump(frame: Any) -> tuple[str, bytes]:
    """The frame's bytes and how they are written: Arrow IPC, else a pickle."""
    try:
        import pyarrow as pa
    except ImportError:
        return PICKLE, pickle.dumps(frame, protocol=5)
    try:
        table = pa.Table.from_pandas(frame)
    except (pa.ArrowException, TypeError, ValueError):  # object columns Arrow has no type for
        return PICKLE, pickle.dumps(frame, protocol=5)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return ARROW, sink.getvalue()


def load(kind: str, blob: bytes) -> Any:
    """The frame back, with its dtypes and index."""
    if kind == PICKLE:
        return pickle.loads(blob)
    if kind != ARROW:
        raise ValueError(f"a DataFrame written as {kind!r} cannot be read here")
    try:
        import pyarrow as pa
    except ImportError:
        raise ValueError(f"a DataFrame arrived as Arrow, and pyarrow is not installed here: {_INSTALL}") from None
    return pa.ipc.open_stream(blob).read_all().to_pandas()


def preview(frame: Any) -> dict[str, Any]:
    """What a view shows of a frame: its shape, columns, dtypes and first rows, as JSON."""
    rows, width = frame.shape
    head = frame.iloc[:PREVIEW_ROWS, :PREVIEW_COLUMNS]
    try:
        split = json.loads(head.to_json(orient="split", date_format="iso", default_handler=str))
        index, data = split["index"], split["data"]
    except (TypeError, ValueError, OverflowError):  # cells JSON cannot write: show their text
        index = [str(label) for label in head.index]
        data = [[str(cell) for cell in row] for row in head.itertuples(index=False)]
    names = [name for name in frame.index.names if name is not None]
    return {
        "kind": "dataframe",
        "shape": [int(rows), int(width)],
        "columns": [_label(column) for column in head.columns],
        "dtypes": [str(dtype) for dtype in head.dtypes],
        "index_name": ", ".join(map(str, names)) or None,
        "index": [_label(label) for label in index],
        "rows": data,
    }


def _label(label: Any) -> str:
    """A column or row label as text (a MultiIndex's tuple joined)."""
    if isinstance(label, (list, tuple)):
        return " / ".join(map(str, label))
    return str(label)
