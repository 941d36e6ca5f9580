"""Calling one node of a nodepack: input conversion, reporters, output checks.

Runs in a worker thread. Reporters are the spec's protocol: a node class sets
``_progress_reporter`` or ``_stream_reporter`` in ``__init__`` and we hand it a
callback with ``set_callback``; the callback raises once the run is cancelled, or
once the call has run past its timeout, so a long node stops at its next report.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from .conversion import ConversionError, convert
from .graph import CANCELLED


class RunCancelled(Exception):
    def __init__(self) -> None:
        super().__init__(CANCELLED)


class NodeInputError(ValueError):
    pass


class NodeTimedOut(TimeoutError):
    """A call that ran longer than its timeout (a ``TimeoutError``, so ``@retry(on=TimeoutError)`` retries it)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(timeout_message(seconds))
        self.seconds = seconds


def timeout_message(seconds: float) -> str:
    return f"timed out after {seconds:g} s"


def prepare_kwargs(spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for param in spec.schema["params"]:
        name = param["name"]
        if name not in inputs:
            if "default" in param:
                continue
            raise NodeInputError(f"input '{name}' is not connected and has no value")
        try:
            kwargs[name] = convert(inputs[name], spec.param_types.get(name, Any))
        except ConversionError as exc:
            raise NodeInputError(f"input '{name}': {exc}") from None
    return kwargs


def call_node(
    spec: Any,
    kwargs: dict[str, Any],
    on_progress: Callable[[float, str], None],
    on_chunk: Callable[[str], None],
    cancelled: threading.Event | None = None,
    timeout_s: float | None = None,
) -> Any:
    deadline = None if timeout_s is None else time.monotonic() + timeout_s

    def check() -> None:
        if cancelled is not None and cancelled.is_set():
            raise RunCancelled()
        if deadline is not None and time.monotonic() >= deadline:
            assert timeout_s is not None
            raise NodeTimedOut(timeout_s)

    check()
    if spec.kind == "function":
        result = spec.target(**kwargs)
    else:
        instance = spec.target()
        if spec.kind == "progress":
            reporter = getattr(instance, "_progress_reporter", None)

            def report(percent: float, message: str = "") -> None:
                check()
                on_progress(float(percent), "" if message is None else str(message))

            callback: Callable[..., None] = report
        else:
            reporter = getattr(instance, "_stream_reporter", None)

            def emit(chunk: str) -> None:
                check()
                on_chunk(str(chunk))

            callback = emit
        if reporter is not None and hasattr(reporter, "set_callback"):
            reporter.set_callback(callback)
        result = instance(**kwargs)
    check()
    if spec.output_keys and not isinstance(result, dict):
        raise TypeError(
            f"{spec.name} must return a dict with keys {', '.join(spec.output_keys)}, got {type(result).__name__}"
        )
    return result


# Frames in this package are ours (the call into the node), not the node's.
_OWN_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_TRACEBACK_LIMIT = 8000


def describe_traceback(exc: BaseException) -> str | None:
    """Where a node's own code raised: the traceback from its first frame on, or None
    when the failure is ours to word (a missing input, a cancel)."""
    if isinstance(exc, (NodeInputError, RunCancelled, NodeTimedOut)):
        return None
    trace = traceback.TracebackException.from_exception(exc)
    while trace.stack and os.path.abspath(trace.stack[0].filename).startswith(_OWN_DIR):
        trace.stack.pop(0)
    text = "".join(trace.format())
    # The end says most: a deep recursion keeps its last frames and the error.
    return text if len(text) <= _TRACEBACK_LIMIT else "…\n" + text[-_TRACEBACK_LIMIT:]


def describe_error(exc: BaseException) -> str:
    """The message a user sees: the exception's own words, or its type when it has none."""
    text = str(exc)
    if isinstance(exc, (NodeInputError, RunCancelled, NodeTimedOut)):
        return text
    return text if text else type(exc).__name__
