"""Nodes the integration tests drive: sleeps, env reads, rich values, failures, retries, timeouts."""

import dataclasses
import enum
import fcntl
import hashlib
import os
import time
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict

import numpy as np
import pydantic
from annotated_types import Ge, Le
from PIL.Image import Image as PILImage

from psynapse import AnnotatedDict, Skip, retry, timeout


def slow_identity(x: Any, ms: int = 200) -> Any:
    """Sleep `ms`, then return x (for parallelism checks)."""
    time.sleep(ms / 1000)
    return x


def read_env(var_name: str, ms: int = 0) -> str:
    """A digest of an environment variable ('' when unset), after an optional sleep.

    A digest, not the value: the test proves the secret reached the node while
    nothing of ours stored it.
    """
    time.sleep(ms / 1000)
    value = os.environ.get(var_name)
    return hashlib.sha256(value.encode()).hexdigest()[:16] if value is not None else ""


def fail(message: str = "boom") -> int:
    """Always raises ValueError(message)."""
    raise ValueError(message)


def typed(i: int, f: float, s: str, b: bool, mode: Literal["a", "b"] = "a") -> dict:
    """Echo typed inputs with their Python types."""
    return {
        "i": [i, type(i).__name__],
        "f": [f, type(f).__name__],
        "s": [s, type(s).__name__],
        "b": [b, type(b).__name__],
        "mode": mode,
    }


def split_pair(text: str) -> AnnotatedDict[Literal["left", "right"]]:
    """Split 'a:b' into left and right."""
    left, _, right = text.partition(":")
    return {"left": left, "right": right}


@dataclasses.dataclass
class Point:
    x: int
    y: int


def make_point(x: int, y: int) -> Point:
    """Build a dataclass value."""
    return Point(x, y)


def point_sum(p: Any) -> int:
    """Sum a Point's fields (checks the object arrived intact)."""
    assert isinstance(p, Point), type(p)
    return p.x + p.y


def make_image(size: int = 4) -> Any:
    """A small red PIL image."""
    from PIL import Image

    return Image.new("RGB", (size, size), (255, 0, 0))


def image_width(img: Any) -> int:
    """Width of a PIL image (checks it arrived as an image)."""
    return img.size[0]


def make_array(n: int = 3) -> Any:
    """numpy arange(n) as float64."""
    import numpy as np

    return np.arange(n, dtype="float64")


def array_sum(a: Any) -> float:
    """Sum of a numpy array (checks it arrived as an array)."""
    import numpy as np

    assert isinstance(a, np.ndarray)
    return float(a.sum())


def make_set(n: int = 3) -> set:
    """A set of 0..n-1."""
    return set(range(n))


def set_size(s: Any) -> int:
    """Size of a set (checks it arrived as a set)."""
    assert isinstance(s, set)
    return len(s)


def make_big(kb: int = 2048) -> Any:
    """A float64 numpy array of `kb` KiB (larger than a NATS message)."""
    import numpy as np

    return np.arange(kb * 128, dtype="float64")


def big_sum(a: Any) -> float:
    """Sum of a (large) array."""
    return float(a.sum())


def crash(x: Any) -> Any:
    """Kill this runner process outright, every time (a segfaulting library, say)."""
    os._exit(3)


def fail_with_env(var_name: str) -> int:
    """Raise an error that quotes an environment variable (a careless client library)."""
    raise RuntimeError(f"auth failed with key {os.environ.get(var_name)}")


def crash_if(x: Any, now: bool = False) -> Any:
    """Pass x through, or kill this runner process when told to (a quick node that turns fatal)."""
    if now:
        os._exit(3)
    return x


def parse_int(text: str) -> AnnotatedDict[Literal["number", "invalid"]]:
    """Branches: the number, or the text it could not read (the other output untaken)."""
    try:
        return {"number": int(text), "invalid": Skip}
    except ValueError:
        return {"number": Skip, "invalid": text}


def first_of(a: Any = None, b: Any = None) -> Any:
    """Whichever input came: a merge after a branch."""
    return a if a is not None else b


def maybe(x: Any, keep: bool = True) -> Any:
    """Its input, or Skip: a single-output function that branches."""
    return x if keep else Skip


def less_than(a: float, b: float) -> bool:
    return a < b


def _count_call(counter: str) -> int:
    """Note a call in the file `counter` (one line each: its time) and return its number.

    A file, so calls are counted honestly across runner processes and redeliveries.
    """
    with open(counter, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(f"{time.time()}\n")
        handle.flush()
        handle.seek(0)
        return len(handle.read().splitlines())


@retry(times=3, backoff_s=0.1, max_backoff_s=1.0, on=(ConnectionError,))
def flaky(counter: str, fails: int = 2, value: Any = "ok", error: Literal["connection", "value"] = "connection") -> Any:
    """Fail the first `fails` calls (ConnectionError, or ValueError, which it is not retried on), then return value."""
    calls = _count_call(counter)
    if calls <= fails:
        raise (ConnectionError if error == "connection" else ValueError)(f"call {calls} failed")
    return value


@timeout(1)
def sleep_forever() -> None:
    """Never return (a hung call): its timeout gives it up, its thread goes on."""
    while True:
        time.sleep(3600)


# pandas is optional: imported inside the calls, so this pack loads without it.
def make_frame(rows: int = 3) -> Any:
    """A DataFrame with an int32, a float32, a categorical and a text column, indexed by 'key'."""
    import numpy as np
    import pandas as pd

    return pd.DataFrame(
        {
            "count": np.arange(rows, dtype="int32"),
            "ratio": np.linspace(0, 1, rows, dtype="float32"),
            "kind": pd.Categorical(["x", "y"] * (rows // 2) + ["x"] * (rows % 2)),
            "name": [f"item {i}" for i in range(rows)],
        },
        index=pd.Index([f"r{i}" for i in range(rows)], name="key"),
    )


def frame_facts(frame: Any) -> dict:
    """What arrived: its type, dtypes, index and the sum of 'count' (checks the frame came intact)."""
    return {
        "type": type(frame).__name__,
        "dtypes": {str(name): str(dtype) for name, dtype in frame.dtypes.items()},
        "index": [frame.index.name, *map(str, frame.index)],
        "total": int(frame["count"].sum()),
    }


def read_file(path: Path) -> dict:
    """A Path input: its type, file name, size and text (an uploaded file, on this runner)."""
    return {"type": type(path).__name__, "name": path.name, "size": path.stat().st_size, "text": path.read_text()}


# -- rich types (issue 20): a form in the editor, values converted before the call --------
class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


@dataclasses.dataclass
class Size:
    width: Annotated[int, Ge(1), Le(4096)]
    height: int = 512


@dataclasses.dataclass
class Canvas:
    title: str
    size: Size
    shade: Shade = Shade.LIGHT
    mode: Literal["fast", "best"] = "fast"
    opacity: Annotated[float, Ge(0), Le(1)] = 1.0


class SizeDict(TypedDict):
    width: int
    height: int


class Label(pydantic.BaseModel):
    text: str
    points: Annotated[int, Ge(6), Le(72)] = 12


def describe_canvas(canvas: Canvas) -> str:
    """A Canvas in words (checks a dict arrived as the dataclass, nested fields too)."""
    assert isinstance(canvas, Canvas) and isinstance(canvas.size, Size) and isinstance(canvas.shade, Shade)
    return (
        f"{canvas.title}: {canvas.size.width}x{canvas.size.height} {canvas.shade.value} {canvas.mode} {canvas.opacity}"
    )


def make_size(width: int = 640, height: int = 480) -> Size:
    """A Size dataclass (its output fits a SizeDict input)."""
    return Size(width, height)


def size_area(size: SizeDict) -> int:
    """The area of a SizeDict (a TypedDict: a dict with these keys)."""
    return size["width"] * size["height"]


def shade_name(shade: Shade) -> str:
    """The Enum member's name (checks a string arrived as the member)."""
    return shade.name


def render_label(label: Label) -> str:
    """A Pydantic model's fields in words."""
    return f"{label.text}@{label.points}pt"


def image_size(image: PILImage) -> str:
    """'WxH' of a PIL image (a data URL, an upload, arrives as one)."""
    return f"{image.size[0]}x{image.size[1]}"


def array_shape(array: np.ndarray) -> str:
    """The shape of a numpy array (a list arrives as one)."""
    return "x".join(str(n) for n in array.shape)


def grid(rows: int = 3, columns: int = 4) -> np.ndarray:
    """np.arange(rows * columns) as a rows x columns array (a view shows it as a grid)."""
    return np.arange(rows * columns).reshape(rows, columns)
