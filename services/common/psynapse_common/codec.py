"""How node values travel, and how clients see them: the one place that knows.

Between nodes a value is MessagePack with typed extensions, so images, arrays,
sets and arbitrary objects arrive intact at the next runner. Services that only
route values (orchestrator, gateway) never unpickle user objects: they keep the
bytes as ``msgspec.Raw``, and ``to_jsonable`` shows extensions without importing
user code.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import io
import pickle
from typing import Any

import msgspec
from msgspec.msgpack import Ext

from psynapse.sdk import Skip

from . import files, frames

EXT_PICKLE = 1  # [repr, pickle bytes]
EXT_IMAGE = 2  # PNG bytes
EXT_NDARRAY = 3  # [dtype, shape, bytes]
EXT_SET = 4  # msgpack list
EXT_BLOB = 5  # a reference into the object store (see blobs)
EXT_SKIP = 6  # an output not taken (psynapse.Skip): what waits on it is skipped
EXT_DATAFRAME = 7  # [preview, "arrow" | "pickle", bytes] (see frames)
EXT_FILE = 8  # an uploaded file in the object store: files.MARKER + [sha256, file name, size]

_REPR_LIMIT = 2000


def _pickled(obj: Any, text: str | None = None) -> Ext:
    text = repr(obj) if text is None else text
    if len(text) > _REPR_LIMIT:
        text = text[:_REPR_LIMIT] + "…"
    try:
        blob: bytes | None = pickle.dumps(obj, protocol=5)
    except Exception:  # noqa: BLE001 - any object may refuse pickling; still show it
        blob = None
    return Ext(EXT_PICKLE, _plain_encoder.encode([text, blob]))


def _enc_hook(obj: Any) -> Any:
    if obj is Skip:
        return Ext(EXT_SKIP, b"")
    module = type(obj).__module__
    if module.startswith("PIL.") and hasattr(obj, "save"):
        buffer = io.BytesIO()
        obj.save(buffer, format="PNG")
        return Ext(EXT_IMAGE, buffer.getvalue())
    if module == "numpy" and hasattr(obj, "dtype") and hasattr(obj, "tobytes"):
        if getattr(obj, "shape", None) == ():  # numpy scalar
            return obj.item()
        if obj.dtype.hasobject:
            return _pickled(obj)
        payload = [obj.dtype.str, list(obj.shape), obj.tobytes()]
        return Ext(EXT_NDARRAY, _plain_encoder.encode(payload))
    if frames.is_frame(obj):
        preview = frames.preview(obj)
        kind, blob = frames.dump(obj)
        return Ext(EXT_DATAFRAME, _plain_encoder.encode([preview, kind, blob]))
    return _pickled(obj)


_plain_encoder = msgspec.msgpack.Encoder()
_encoder = msgspec.msgpack.Encoder(enc_hook=_enc_hook)

# An untaken output, encoded: routers compare bytes, never decode.
SKIPPED = msgspec.Raw(_plain_encoder.encode(Ext(EXT_SKIP, b"")))


def is_skipped(value: bytes | msgspec.Raw) -> bool:
    return bytes(value) == bytes(SKIPPED)


# Types msgspec writes and reads back as themselves: most values, no checks needed.
_NATIVE = frozenset({int, float, str, bool, type(None), bytes, list, dict})


def encode(value: Any) -> bytes:
    """Encode a node's value for the wire."""
    if type(value) in _NATIVE:
        return _encoder.encode(value)
    # msgspec would flatten dataclasses and Structs into maps; a downstream node
    # expects the object itself back.
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encoder.encode(_pickled(value))
    if isinstance(value, msgspec.Struct):
        return _encoder.encode(_pickled(value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return _encoder.encode(_pickled(value))
    if isinstance(value, (datetime.date, datetime.time)) and not _aware(value):
        # msgspec writes these as text, which the next node would get instead;
        # an aware datetime travels natively as a msgpack timestamp.
        return _encoder.encode(_pickled(value, value.isoformat()))
    if isinstance(value, (set, frozenset)):
        # msgspec writes sets as arrays; the next node expects a set back.
        return _encoder.encode(Ext(EXT_SET, _encoder.encode(list(value))))
    return _encoder.encode(value)


def encode_given(value: Any) -> bytes:
    """Encode a value a graph gives a node (JSON from the client): an uploaded file's
    reference becomes a file the runner fetches and hands over as a local path."""
    ref = files.as_ref(value)
    if ref is not None:
        return _plain_encoder.encode(Ext(EXT_FILE, files.encode_ref(ref)))
    return encode(value)


def _aware(value: datetime.date | datetime.time) -> bool:
    return isinstance(value, datetime.datetime) and value.tzinfo is not None


# -- decoding for node inputs (runners only) ----------------------------------
def _value_ext_hook(code: int, data: memoryview) -> Any:
    if code == EXT_PICKLE:
        text, blob = msgspec.msgpack.decode(data)
        if blob is None:
            raise ValueError(f"{text} cannot be pickled, so it cannot reach the next node")
        return pickle.loads(blob)
    if code == EXT_IMAGE:
        from PIL import Image

        image = Image.open(io.BytesIO(bytes(data)))
        image.load()
        return image
    if code == EXT_NDARRAY:
        import numpy as np

        dtype, shape, blob = msgspec.msgpack.decode(data)
        return np.frombuffer(blob, dtype=np.dtype(dtype)).reshape(shape).copy()
    if code == EXT_SET:
        return set(_value_decoder.decode(data))
    if code == EXT_SKIP:
        return Skip
    if code == EXT_DATAFRAME:
        _, kind, blob = msgspec.msgpack.decode(data)
        return frames.load(kind, blob)
    if code == EXT_FILE:
        return _local_file(files.decode_ref(bytes(data)), {})
    raise ValueError(f"unknown value extension {code}")


_value_decoder = msgspec.msgpack.Decoder(ext_hook=_value_ext_hook)


def _blob_payload(data: memoryview, blobs: dict[str, bytes]) -> bytes:
    name = bytes(data).split(b":")[1].decode()
    try:
        return blobs[name]
    except KeyError:
        raise ValueError(f"value {name[:12]}... was not fetched from the object store") from None


def decode(data: bytes | msgspec.Raw, blobs: dict[str, bytes] | None = None) -> Any:
    """Decode a value for a node to consume (may unpickle: runners only)."""
    if not blobs:
        return _value_decoder.decode(data)

    def hook(code: int, payload: memoryview) -> Any:
        if code == EXT_BLOB:
            return decode(_blob_payload(payload, blobs), blobs)
        if code == EXT_FILE:
            return _local_file(files.decode_ref(bytes(payload)), blobs)
        return _value_ext_hook(code, payload)

    return msgspec.msgpack.Decoder(ext_hook=hook).decode(data)


def _local_file(ref: files.FileRef, blobs: dict[str, bytes]) -> Any:
    data = blobs.get(ref.psynapse_file)
    if data is None:
        raise ValueError(
            f"the uploaded file {ref.name!r} is no longer in the object store (uploads last as long as runs): "
            "upload it again"
        )
    return files.materialize(ref, data)


# -- showing values to clients (any service) ----------------------------------
class Shown:
    """An extension value as a client sees it, without reviving the object."""

    __slots__ = ("jsonable",)

    def __init__(self, jsonable: Any) -> None:
        self.jsonable = jsonable


def _display_ext_hook(code: int, data: memoryview) -> Any:
    if code == EXT_PICKLE:
        text, _ = msgspec.msgpack.decode(data)
        return Shown(text)
    if code == EXT_IMAGE:
        return Shown("data:image/png;base64," + base64.b64encode(data).decode("ascii"))
    if code == EXT_NDARRAY:
        dtype, shape, blob = msgspec.msgpack.decode(data)
        try:
            import numpy as np
        except ImportError:
            return Shown(f"ndarray(shape={tuple(shape)}, dtype={dtype})")
        return Shown(np.frombuffer(blob, dtype=np.dtype(dtype)).reshape(shape).tolist())
    if code == EXT_SET:
        return _display_decoder.decode(data)
    if code == EXT_BLOB:
        size = bytes(data).split(b":")[2].decode()
        return Shown(f"<{size} bytes in the object store>")
    if code == EXT_SKIP:
        return None  # a view fed by a skipped node shows null
    if code == EXT_DATAFRAME:
        preview, _, _ = msgspec.msgpack.decode(data)
        return Shown(preview)
    if code == EXT_FILE:
        return Shown(files.decode_ref(bytes(data)).jsonable())  # the reference the client gave
    return Shown(f"<value with unknown extension {code}>")


_display_decoder = msgspec.msgpack.Decoder(ext_hook=_display_ext_hook)


def to_jsonable(value: Any) -> Any:
    """A value as JSON-ready data: the one view clients get of any value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Shown):
        return value.jsonable
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (datetime.date, datetime.time)):
        # msgpack keeps an aware datetime as a timestamp, which decodes back to one.
        return value.isoformat()
    shown = _display_decoder.decode(encode(value))
    if type(shown) is type(value):
        return repr(value)  # the encoding gave back the same kind of thing: never loop
    return to_jsonable(shown)


def show(data: bytes | msgspec.Raw | None, blobs: dict[str, bytes] | None = None) -> Any:
    """Encoded value bytes -> JSON-ready data, without unpickling anything."""
    if data is None:
        return None
    if not blobs:
        return to_jsonable(_display_decoder.decode(data))

    def hook(code: int, payload: memoryview) -> Any:
        if code == EXT_BLOB:
            return Shown(show(_blob_payload(payload, blobs), blobs))
        return _display_ext_hook(code, payload)

    return to_jsonable(msgspec.msgpack.Decoder(ext_hook=hook).decode(data))
