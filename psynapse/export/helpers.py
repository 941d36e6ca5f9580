"""Functions ``psynapse export`` copies, source and all, into the scripts it writes.

Each must stand alone: only the standard library, the names imported in
``IMPORTS``, the written script's constants ``NODEPACKS_DIR``, ``REQUIREMENTS``
and ``PSYNAPSE_SDK``, the SDK's ``Skip`` (an output not taken) and, for the control
flow helpers, the services' ``truth`` and ``ConversionError`` (the script carries
their source too). They are plain functions here so tests call them directly.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import dataclasses
import datetime
import decimal
import enum
import importlib.machinery
import importlib.util
import inspect
import io
import math
import re
import sys
import types
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from psynapse_common.conversion import ConversionError, truth

from ..sdk import Skip, retry_delay, retry_matches

NODEPACKS_DIR = Path("nodepacks")  # the written script sets its own
# Module -> install command, for what the script's nodepacks need (the script sets its own).
REQUIREMENTS: dict[str, str] = {}
# The nodepack SDK's source (``from psynapse import AnnotatedDict, pool, no_cache``), for
# when Psynapse is not installed where the script runs (the script sets its own).
PSYNAPSE_SDK = ""

# What the SDK's decorators do, without the services' checks: a pack that uses them
# runs the same in a script.

IMPORTS = """\
import asyncio
import base64
import concurrent.futures
import dataclasses
import datetime
import decimal
import enum
import importlib.machinery
import importlib.util
import inspect
import io
import json
import math
import re
import sys
import types
import typing
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, Optional, Union
"""


def check_requirements() -> None:
    """Stop at once, saying what to install, when a package the nodepacks need is missing."""
    # Copied into scripts run by whatever python3 a user has: an old one is told so.
    if sys.version_info < (3, 11):  # noqa: UP036 - the script, not this package, may meet an old Python
        raise SystemExit(f"{Path(sys.argv[0]).name} needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    missing = [
        f"  {module}: {install}"
        for module, install in REQUIREMENTS.items()
        if importlib.util.find_spec(module.split(".")[0]) is None
    ]
    if missing:
        raise SystemExit(f"{Path(sys.argv[0]).name} needs packages this Python does not have:\n" + "\n".join(missing))


def provide_sdk() -> None:
    """Let packs import ``psynapse`` (its SDK names) where Psynapse itself is not installed."""
    if importlib.util.find_spec("psynapse") is not None:
        return
    sdk = types.ModuleType("psynapse", "The nodepack SDK, as the script that loaded it carries it.")
    exec(compile(PSYNAPSE_SDK, "<psynapse sdk>", "exec"), sdk.__dict__)
    sys.modules["psynapse"] = sdk


def load_nodepack(pack: str, filename: str) -> Any:
    """Import NODEPACKS_DIR/<pack>/<filename> as the services do.

    Each pack is a package of its own, so ``from .helpers import x`` works, and its
    folder is on sys.path, so ``from helpers import x`` works too.
    """
    folder = NODEPACKS_DIR / pack
    package = "nodepack_" + re.sub(r"\W", "_", pack)
    if package not in sys.modules:
        spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        sys.modules[package] = importlib.util.module_from_spec(spec)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    name = f"{package}.{Path(filename).stem}"
    file_spec = importlib.util.spec_from_file_location(name, folder / filename)
    if file_spec is None or file_spec.loader is None:
        raise SystemExit(f"cannot load {folder / filename}")
    module = importlib.util.module_from_spec(file_spec)
    sys.modules[name] = module  # dataclasses and pickle look a module up by name
    try:
        file_spec.loader.exec_module(module)
    except ImportError as exc:
        needed = exc.name or str(exc)
        top = needed.split(".")[0]
        install = (
            REQUIREMENTS.get(needed)
            or REQUIREMENTS.get(top)
            or ("pip install psynapse" if top.startswith("psynapse") else f"pip install {top}")
        )
        raise SystemExit(
            f"{Path(sys.argv[0]).name}: nodepack {pack!r} ({filename}) needs {needed!r}, "
            f"which this Python does not have ({exc}): {install}"
        ) from None
    return module


def report_progress(node: Any, label: str) -> None:
    """Print a progress node's reports on stderr, as the editor's status panel shows them."""
    reporter = getattr(node, "_progress_reporter", None)

    def report(percent: float, message: str = "") -> None:
        print(f"[{label}] {float(percent):.0%} {message or ''}".rstrip(), file=sys.stderr, flush=True)

    if reporter is not None and hasattr(reporter, "set_callback"):
        reporter.set_callback(report)


def report_stream(node: Any, label: str) -> None:
    """Print a stream node's text on stderr as it arrives."""
    reporter = getattr(node, "_stream_reporter", None)
    print(f"[{label}] ", end="", file=sys.stderr, flush=True)

    def emit(chunk: str) -> None:
        print(str(chunk), end="", file=sys.stderr, flush=True)

    if reporter is not None and hasattr(reporter, "set_callback"):
        reporter.set_callback(emit)


def awaited(result: Any, label: str) -> Any:
    """An async node's result: awaited on an event loop of its own; an async generator's
    items printed on stderr as they come, their text joined."""
    if inspect.isasyncgen(result):
        print(f"[{label}] ", end="", file=sys.stderr, flush=True)

        async def collect() -> str:
            chunks = []
            async for item in result:
                chunks.append(str(item))
                print(chunks[-1], end="", file=sys.stderr, flush=True)
            return "".join(chunks)

        text = asyncio.run(collect())
        print(file=sys.stderr)
        return text

    async def wait() -> Any:
        return await result

    return asyncio.run(wait()) if inspect.isawaitable(result) else result


def run_node(
    label: str,
    call: Callable[[], Any],
    times: int = 1,
    backoff_s: float = 0.0,
    max_backoff_s: float = 0.0,
    on: tuple[str, ...] = ("Exception",),
    timeout_s: float | None = None,
) -> Any:
    """Call a node as the services do: again after a failure its retry policy names (at most
    ``times`` calls, the pauses doubling from ``backoff_s`` up to ``max_backoff_s``), each call
    failing with TimeoutError once it runs longer than ``timeout_s``. Retries go to stderr."""
    import signal
    import threading
    import time

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"timed out after {timeout_s:g} s")

    # SIGALRM stops a call in the main thread; elsewhere (a Map's items run on a thread
    # pool) or where there is none, calls are not timed.
    timed = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    limit = timeout_s if timed else None
    attempt = 1
    while True:
        previous = signal.signal(signal.SIGALRM, expire) if limit is not None else None
        try:
            if limit is not None:
                signal.setitimer(signal.ITIMER_REAL, limit)
            return call()
        except Exception as exc:
            if attempt >= times or not retry_matches(on, exc):
                raise
            delay = retry_delay({"backoff_s": backoff_s, "max_backoff_s": max_backoff_s}, attempt)
            attempt += 1
            why = str(exc) or type(exc).__name__
            print(f"[{label}] retrying: {why}; attempt {attempt} of {times} in {delay:g} s", file=sys.stderr)
            time.sleep(delay)
        finally:
            if limit is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)


def to_json(value: Any) -> Any:
    """A value as JSON data, shown the way the services show a view node's value."""
    if value is Skip:
        return None  # a view fed by a skipped node shows null
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        # As the editor (JavaScript) and `psynapse run` print it: 54.0 is 54.
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    is_record = dataclasses.is_dataclass(value) or hasattr(value, "_fields")
    if isinstance(value, (list, tuple, set, frozenset)) and not is_record:
        return [to_json(item) for item in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return f"<{len(value)} bytes>"
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    module = type(value).__module__
    if module.startswith("PIL.") and hasattr(value, "save"):
        buffer = io.BytesIO()
        value.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    if module == "numpy" and hasattr(value, "tolist") and not getattr(getattr(value, "dtype", None), "hasobject", True):
        return to_json(value.tolist())
    text = repr(value)
    return text if len(text) <= 2000 else text[:2000] + "…"


HELPERS = (
    check_requirements,
    provide_sdk,
    load_nodepack,
    report_progress,
    report_stream,
    awaited,
    retry_matches,
    retry_delay,
    run_node,
    to_json,
)


# -- control flow: what the engine does with untaken outputs, maps and loops -------------
class NodeFailed(RuntimeError):
    """A Map or Loop node failed; the message is ``psynapse run``'s line for it."""

    def __init__(self, kind: str, node: str, error: str) -> None:
        super().__init__(f"{kind} ({node}) failed: {error}")
        self.node = node
        self.error = error  # the engine's words, as the node's error event carries them


def part(value: Any, key: str) -> Any:
    """One output of a node that gives several (an ``AnnotatedDict``), untaken (``Skip``)
    when the node was skipped or returned ``Skip`` whole; None when the key is missing."""
    if value is Skip:
        return Skip
    return value.get(key) if isinstance(value, dict) else None


def list_of(*items: Any) -> Any:
    """A List node fed by branches: the items that came, in order; ``Skip`` when none did."""
    taken = [item for item in items if item is not Skip]
    return taken if taken or not items else Skip


def map_workflow(
    workflow: Callable[[dict[str, Any]], dict[str, Any]],
    items: Any,
    item_input: str,
    inputs: dict[str, Any],
    concurrency: int,
    continue_on_error: bool,
    node: str,
) -> Any:
    """A Map node: ``workflow`` once per item (the item as its input ``item_input``, the
    other inputs the same for every item), at most ``concurrency`` items at a time on a
    thread pool. Gives the results in item order: an item's one output, or a dict of its
    outputs when it has several. A failed item fails the map, naming the item (no item
    starts after it); with ``continue_on_error`` its place is None and it is reported."""
    if items is Skip:
        return Skip  # its list came untaken: the map is skipped
    if not isinstance(items, (list, tuple)):
        shown = to_json(items)
        raise NodeFailed("Map", node, f"Map: items must be a list, got {type(shown).__name__} {str(shown)[:80]!r}")

    def run(item: Any) -> Any:
        outputs = workflow({**inputs, item_input: item})
        return next(iter(outputs.values())) if len(outputs) == 1 else outputs

    results: list[Any] = [None] * len(items)
    failures: dict[int, BaseException] = {}
    running: dict[concurrent.futures.Future[Any], int] = {}  # item -> its index
    started = done = 0
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=f"map-{node}")
    try:
        while True:
            # The next items start as others end, none after a failure (unless told to go on).
            while started < len(items) and len(running) < concurrency and (continue_on_error or not failures):
                running[pool.submit(run, items[started])] = started
                started += 1
            if not running:
                break
            ended, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in sorted(ended, key=running.__getitem__):
                index = running.pop(future)
                failure = future.exception()
                if failure is None:
                    results[index] = future.result()
                else:
                    failures[index] = failure
                    if continue_on_error:
                        reason = str(failure) or type(failure).__name__
                        print(f"[{node}] item {index} failed: {reason}", file=sys.stderr)
                done += 1
                failed = f", {len(failures)} failed" if failures else ""
                print(f"[{node}] {done}/{len(items)} items{failed}", file=sys.stderr, flush=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if failures and not continue_on_error:
        first = min(failures)
        cause = failures[first]
        raise NodeFailed("Map", node, f"item {first} failed: {str(cause) or type(cause).__name__}") from cause
    return results


def loop_workflow(
    workflow: Callable[[dict[str, Any]], dict[str, Any]],
    inputs: dict[str, Any],
    fed_back: tuple[str, ...],
    while_output: str,
    max_iterations: int,
    node: str,
) -> dict[str, Any]:
    """A Loop node: ``workflow`` again while its output ``while_output`` is truthy, each
    iteration after the first fed the outputs named like its inputs (``fed_back``), at
    most ``max_iterations`` times. Gives the last iteration's outputs."""
    feeds = dict(inputs)
    for iteration in range(max_iterations):
        try:
            outputs = workflow(feeds)
        except Exception as exc:
            raise NodeFailed("Loop", node, f"iteration {iteration} failed: {str(exc) or type(exc).__name__}") from exc
        condition = outputs.get(while_output)
        try:
            again = condition is not Skip and truth(condition)
        except ConversionError as exc:
            raise NodeFailed("Loop", node, f"iteration {iteration}: '{while_output}': {exc}") from None
        print(f"[{node}] iteration {iteration + 1} of at most {max_iterations}", file=sys.stderr, flush=True)
        if not again:
            return outputs
        feeds = {**inputs, **{name: outputs[name] for name in fed_back}}
    raise NodeFailed(
        "Loop", node, f"Loop reached its cap of {max_iterations} iterations with '{while_output}' still true"
    )


# Copied into a script only when its graph needs them.
FLOW_HELPERS: dict[str, Any] = {
    helper.__name__: helper for helper in (NodeFailed, part, list_of, map_workflow, loop_workflow)
}
