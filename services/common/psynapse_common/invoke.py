"""Calling one node of a nodepack: input conversion, reporters, output checks.

``call_node`` runs in a worker thread (or, for a quick node, on the runner's event loop);
``call_node_async`` awaits a node whose call is awaited. Reporters are the spec's protocol: a node class sets
``_progress_reporter`` or ``_stream_reporter`` in ``__init__`` and we hand it a
callback with ``set_callback``; the callback raises once the run is cancelled, or
once the call has run past its timeout, so a long node stops at its next report.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, cast

from .constraints import broken_rule
from .conversion import ConversionError, convert_input
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
            kwargs[name] = convert_input(inputs[name], spec.param_types.get(name, Any))
        except ConversionError as exc:
            raise NodeInputError(f"input '{name}': {exc}") from None
        rules = spec.rules.get(name)
        if rules:
            broken = broken_rule(kwargs[name], rules.bounds, rules.validators)
            if broken is not None:
                raise NodeInputError(f"input '{name}' = {_shown(kwargs[name])} breaks its rule: {broken}")
    return kwargs


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "…"


def call_node(
    spec: Any,
    kwargs: dict[str, Any],
    on_progress: Callable[[float, str], None],
    on_chunk: Callable[[str], None],
    cancelled: threading.Event | None = None,
    timeout_s: float | None = None,
) -> Any:
    """Call a node whose call returns its result (in the calling thread)."""
    check = _checker(cancelled, timeout_s)
    check()
    result = _callable(spec, on_progress, on_chunk, check)(**kwargs)
    check()
    return _checked(spec, result)


async def call_node_async(
    spec: Any,
    kwargs: dict[str, Any],
    on_progress: Callable[[float, str], None],
    on_chunk: Callable[[str], None],
    cancelled: threading.Event | None = None,
    timeout_s: float | None = None,
) -> Any:
    """Await a node whose call is awaited: an ``async def`` function or ``__call__`` (its
    result), or an async generator (each item a streamed chunk, their text joined its result).

    A ``CancelFlag`` set meanwhile cancels the node's task: the node stops at the await it
    is in, and the call raises ``RunCancelled``. Past ``timeout_s`` the task is cancelled
    too, and the call raises ``NodeTimedOut``.
    """
    check = _checker(cancelled, timeout_s)
    check()
    # A task of its own: a cancel ends the node, never what its caller awaits next.
    node = asyncio.ensure_future(_awaited_call(spec, kwargs, on_progress, on_chunk, check))
    stop = None
    if isinstance(cancelled, CancelFlag):
        loop = asyncio.get_running_loop()
        stop = cancelled.on_set(lambda: _cancel_soon(loop, node))
    limit = asyncio.timeout(timeout_s)
    try:
        async with limit:
            result = await node
    except asyncio.CancelledError:
        caller = asyncio.current_task()
        if node.cancelled() and cancelled is not None and cancelled.is_set() and not (caller and caller.cancelling()):
            raise RunCancelled() from None  # the run's cancel, said like a thread's node says it
        raise
    except TimeoutError:
        if limit.expired() and timeout_s is not None:
            raise NodeTimedOut(timeout_s) from None  # our limit, not a TimeoutError of the node's own
        raise
    finally:
        if stop is not None:
            stop()
    check()
    return _checked(spec, result)


async def _awaited_call(
    spec: Any,
    kwargs: dict[str, Any],
    on_progress: Callable[[float, str], None],
    on_chunk: Callable[[str], None],
    check: Callable[[], None],
) -> Any:
    result = _callable(spec, on_progress, on_chunk, check)(**kwargs)
    if inspect.isasyncgen(result):
        chunks: list[str] = []
        async for item in result:
            check()
            chunks.append(str(item))
            on_chunk(chunks[-1])
        return "".join(chunks)
    return await result if inspect.isawaitable(result) else result


def _cancel_soon(loop: asyncio.AbstractEventLoop, task: asyncio.Future[Any]) -> None:
    # From any thread; the call may have ended and its loop closed meanwhile.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(task.cancel)


def is_awaited(target: Any) -> bool:
    """Whether a node's call is awaited: ``async def`` (a function, or a class's ``__call__``)
    or an async generator function."""
    if inspect.isclass(target):
        target = inspect.getattr_static(target, "__call__", None)
        target = getattr(target, "__func__", target)  # a staticmethod's or classmethod's function
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


class CancelFlag(threading.Event):
    """A run's cancel flag: threads check it; a coroutine node's task is cancelled when it is set."""

    def __init__(self) -> None:
        super().__init__()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def set(self) -> None:
        with self._lock:
            super().set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def on_set(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` once when the flag is set (at once if it is); returns its remover."""
        with self._lock:
            if not self.is_set():
                self._callbacks.append(callback)
                return lambda: self._remove(callback)
        callback()
        return lambda: None

    def _remove(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)


def _checker(cancelled: threading.Event | None, timeout_s: float | None = None) -> Callable[[], None]:
    deadline = None if timeout_s is None else time.monotonic() + timeout_s

    def check() -> None:
        if cancelled is not None and cancelled.is_set():
            raise RunCancelled()
        if deadline is not None and time.monotonic() >= deadline:
            assert timeout_s is not None
            raise NodeTimedOut(timeout_s)

    return check


def _callable(
    spec: Any, on_progress: Callable[[float, str], None], on_chunk: Callable[[str], None], check: Callable[[], None]
) -> Callable[..., Any]:
    """What to call with the node's inputs: its function, or a new instance of its class with
    its reporter's callback set."""
    if not inspect.isclass(spec.target):
        return cast("Callable[..., Any]", spec.target)
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
    return cast(Callable[..., Any], instance)


def _checked(spec: Any, result: Any) -> Any:
    if spec.output_keys and not isinstance(result, dict):
        raise TypeError(
            f"{spec.name} must return a dict with keys {', '.join(spec.output_keys)}, got {type(result).__name__}"
        )
    return result


# Frames in this package are ours (the call into the node), not the node's; so are
# asyncio's, which run a coroutine node in a thread.
_NOT_THE_NODES = (
    os.path.dirname(os.path.abspath(__file__)) + os.sep,
    os.path.dirname(os.path.abspath(asyncio.__file__)) + os.sep,
)
_TRACEBACK_LIMIT = 8000


def describe_traceback(exc: BaseException) -> str | None:
    """Where a node's own code raised: the traceback from its first frame on, or None
    when the failure is ours to word (a missing input, a cancel)."""
    if isinstance(exc, (NodeInputError, RunCancelled, NodeTimedOut)):
        return None
    trace = traceback.TracebackException.from_exception(exc)
    while trace.stack and os.path.abspath(trace.stack[0].filename).startswith(_NOT_THE_NODES):
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
