"""Nodes whose call is awaited: async def functions, async __call__ classes, async generators.

Loaded and introspected like the others; called through the one segment walk, either on
an event loop (``invoke_async``, as the runner does) or in a thread (``invoke``, as a job
with env_vars and the in-process way do); a cancel ends the awaiting task, and so does a
timeout; the walk retries an awaited call as it retries any other.
"""

from __future__ import annotations

import asyncio
import textwrap
import threading
import time
from pathlib import Path

import msgspec

from psynapse_common import codec
from psynapse_common.execute import FLUSH, Call, Outcome, SegmentRun, Wait, run_here
from psynapse_common.invoke import CancelFlag, NodeTimedOut
from psynapse_common.messages import Job, NodeEvent, Step
from psynapse_common.nodepacks import load_catalog

PACK = {
    "ops.py": """
        import asyncio
        from typing import AsyncIterator, Literal

        from psynapse import retry


        async def fetch(url: str, retries: int = 2, mode: Literal["get", "head"] = "get") -> dict:
            "Fetch a URL (pretend)."
            await asyncio.sleep(0.01)
            return {"url": url, "retries": retries, "mode": mode}


        async def spell(word: str) -> AsyncIterator[str]:
            "One letter at a time."
            for letter in word:
                await asyncio.sleep(0)
                yield letter


        async def nap(seconds: float = 30.0) -> str:
            try:
                await asyncio.sleep(seconds)
            except asyncio.CancelledError:
                NAPS.append("cancelled")
                raise
            return "slept"


        async def broken(x: int) -> int:
            await asyncio.sleep(0)
            raise ValueError(f"no {x}")


        def plain(x: int) -> int:
            return x


        async def impatient() -> int:
            await asyncio.sleep(0)
            raise TimeoutError("its own timeout")


        @retry(times=3, backoff_s=0.01, on=ConnectionError)
        async def shaky(x: int) -> int:
            CALLS.append(x)
            await asyncio.sleep(0)
            if len(CALLS) % 3:
                raise ConnectionError(f"call {len(CALLS) % 3} failed")
            return x


        NAPS: list[str] = []
        CALLS: list[int] = []
    """,
    "progress_ops.py": """
        import asyncio


        class _Reporter:
            def __init__(self):
                self.callback = None

            def set_callback(self, callback):
                self.callback = callback


        class Download:
            "Download in steps."

            def __init__(self):
                self._progress_reporter = _Reporter()

            async def __call__(self, steps: int = 3) -> int:
                for step in range(1, steps + 1):
                    await asyncio.sleep(0)
                    self._progress_reporter.callback(step / steps, f"{step}/{steps}")
                return steps
    """,
    "stream_ops.py": """
        import asyncio
        from collections.abc import AsyncGenerator


        async def Talk(prompt: str, words: int = 3) -> AsyncGenerator[str, None]:
            "Stream an answer."
            for index in range(words):
                await asyncio.sleep(0)
                yield f"{prompt}{index} "
    """,
}


def load(tmp_path: Path):
    for name, source in PACK.items():
        path = tmp_path / "asyncs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return load_catalog(tmp_path, installed=False)


def call_of(catalog, name: str, timeout_s: float | None = None, **inputs) -> tuple[SegmentRun, Call]:
    step = Step(node_id="n", node_name=name, node_type="functionNode", inputs={})
    run = SegmentRun(Job(run_id="r", steps=[step]), catalog.nodes.get)
    encoded = {key: msgspec.Raw(codec.encode(value)) for key, value in inputs.items()}
    return run, Call(step, catalog.nodes[name], encoded, {}, timeout_s)


def test_async_nodes_are_introspected_like_sync_ones(tmp_path):
    catalog = load(tmp_path)
    kinds = {name: (spec.kind, spec.awaited) for name, spec in catalog.nodes.items()}
    assert kinds == {
        "fetch": ("function", True),
        "spell": ("stream", True),
        "nap": ("function", True),
        "broken": ("function", True),
        "plain": ("function", False),
        "impatient": ("function", True),
        "shaky": ("function", True),
        "Download": ("progress", True),
        "Talk": ("stream", True),
    }
    fetch = catalog.nodes["fetch"].schema
    assert fetch["params"] == [
        {"name": "url", "type": "str"},
        {"name": "retries", "type": "int", "default": 2},
        {
            "name": "mode",
            "type": "Literal",
            "default": "get",
            "literal_values": ["get", "head"],
            "json_schema": {"enum": ["get", "head"], "type": "string"},
        },
    ]
    assert (fetch["returns"], fetch["docstring"], fetch["is_stream_node"]) == (
        [{"name": "result", "type": "dict"}],
        "Fetch a URL (pretend).",
        False,
    )
    # An async generator streams its items; its output is their text joined.
    talk = catalog.nodes["Talk"].schema
    assert (talk["params"], talk["returns"], talk["is_stream_node"]) == (
        [{"name": "prompt", "type": "str"}, {"name": "words", "type": "int", "default": 3}],
        [{"name": "result", "type": "str"}],
        True,
    )
    assert catalog.nodes["spell"].schema["is_stream_node"] is True
    assert catalog.nodes["Download"].schema["params"] == [{"name": "steps", "type": "int", "default": 3}]


def test_awaited_on_a_loop_and_in_a_thread_alike(tmp_path):
    catalog = load(tmp_path)
    chunks: list[str] = []
    progress: list[tuple[float, str]] = []

    def report(percent: float, message: str) -> None:
        progress.append((percent, message))

    for name, inputs, expected in (
        ("fetch", {"url": "u"}, {"url": "u", "retries": 2, "mode": "get"}),
        ("Talk", {"prompt": "w", "words": "2"}, "w0 w1 "),
        ("Download", {"steps": 2}, 2),
    ):
        run, call = call_of(catalog, name, **inputs)
        on_loop = asyncio.run(run.invoke_async(call, report, chunks.append))
        in_thread = run.invoke(call, report, chunks.append)
        assert (on_loop.error, on_loop.result) == (None, expected)
        assert (in_thread.error, in_thread.result) == (None, expected)
        assert codec.decode(bytes(on_loop.output), {}) == expected
    assert chunks == ["w0 ", "w1 ", "w0 ", "w1 "]
    assert progress == [(0.5, "1/2"), (1.0, "2/2"), (0.5, "1/2"), (1.0, "2/2")]


def test_a_failing_async_node_reports_its_own_traceback(tmp_path):
    catalog = load(tmp_path)
    for invoke in ("loop", "thread"):
        run, call = call_of(catalog, "broken", x=3)
        outcome = (
            asyncio.run(run.invoke_async(call, print, print)) if invoke == "loop" else run.invoke(call, print, print)
        )
        assert outcome.error == "no 3"
        assert outcome.traceback is not None
        # From the node's own frame: nothing of ours or asyncio's before it.
        assert outcome.traceback.splitlines()[1].endswith(", in broken"), outcome.traceback


def test_a_cancel_ends_the_awaiting_task_on_a_loop_and_in_a_thread(tmp_path):
    catalog = load(tmp_path)
    naps = catalog.nodes["nap"].target.__globals__["NAPS"]

    async def on_loop() -> tuple[float, Outcome]:
        run, call = call_of(catalog, "nap")
        flag = CancelFlag()
        asyncio.get_running_loop().call_later(0.05, flag.set)
        started = time.monotonic()
        outcome = await run.invoke_async(call, print, print, flag)
        return time.monotonic() - started, outcome

    took, outcome = asyncio.run(on_loop())
    assert (outcome.error, outcome.traceback) == ("cancelled", None) and took < 5
    assert naps == ["cancelled"]

    # In a thread (a job with env_vars): set from another thread, as the runner's loop does.
    run, call = call_of(catalog, "nap")
    flag = CancelFlag()
    threading.Timer(0.05, flag.set).start()
    started = time.monotonic()
    outcome = run.invoke(call, print, print, flag)
    assert outcome.error == "cancelled" and time.monotonic() - started < 5
    assert naps == ["cancelled", "cancelled"]

    # Cancelled before it starts: it never runs.
    flag = CancelFlag()
    flag.set()
    assert run.invoke(call, print, print, flag).error == "cancelled"
    assert naps == ["cancelled", "cancelled"]


def test_a_cancel_flag_calls_back_once_and_forgets_removed_callbacks():
    flag = CancelFlag()
    calls: list[str] = []
    remove = flag.on_set(lambda: calls.append("removed"))
    flag.on_set(lambda: calls.append("kept"))
    remove()
    flag.set()
    flag.set()
    assert calls == ["kept"]
    flag.on_set(lambda: calls.append("late"))
    assert calls == ["kept", "late"] and flag.is_set()


def test_an_awaited_call_past_its_timeout_is_cancelled_on_a_loop_and_in_a_thread(tmp_path):
    catalog = load(tmp_path)
    naps = catalog.nodes["nap"].target.__globals__["NAPS"]
    for where in ("loop", "thread"):
        run, call = call_of(catalog, "nap", timeout_s=0.1)
        started = time.monotonic()
        if where == "loop":
            outcome = asyncio.run(run.invoke_async(call, print, print))
        else:
            outcome = run.invoke(call, print, print)
        assert time.monotonic() - started < 5
        assert (outcome.error, outcome.traceback, outcome.timed_out) == ("timed out after 0.1 s", None, True)
        # The node's own exception as far as a retry policy is concerned: a TimeoutError.
        assert isinstance(outcome.exception, NodeTimedOut)
    assert naps == ["cancelled", "cancelled"]
    # A TimeoutError the node raises itself is its own failure, not a timeout.
    run, call = call_of(catalog, "impatient", timeout_s=5)
    outcome = asyncio.run(run.invoke_async(call, print, print))
    assert (outcome.error, outcome.timed_out) == ("its own timeout", False)
    assert isinstance(outcome.exception, TimeoutError) and outcome.traceback is not None
    # Within its time: its result.
    run, call = call_of(catalog, "fetch", timeout_s=5, url="u")
    assert asyncio.run(run.invoke_async(call, print, print)).result == {"url": "u", "retries": 2, "mode": "get"}


def test_the_walk_retries_an_awaited_call_on_a_loop_and_in_a_thread(tmp_path):
    catalog = load(tmp_path)
    calls = catalog.nodes["shaky"].target.__globals__["CALLS"]
    step = Step(node_id="n", node_name="shaky", node_type="functionNode", inputs={"x": msgspec.Raw(codec.encode(7))})

    async def on_loop(run: SegmentRun) -> list[NodeEvent]:
        # As the runner drives it: awaited calls on its event loop, the pauses there too.
        events: list[NodeEvent] = []
        walk = run.drive()
        answer = None
        while True:
            try:
                need = walk.send(answer)
            except StopIteration:
                return events
            answer = None
            if need is FLUSH:
                events += run.take_events()
            elif isinstance(need, Call):
                answer = await run.invoke_async(need, print, print)
            elif isinstance(need, Wait):
                await asyncio.sleep(need.seconds)

    looped = asyncio.run(on_loop(SegmentRun(Job(run_id="r", steps=[step]), catalog.nodes.get)))
    threaded: list[NodeEvent] = []
    run_here(SegmentRun(Job(run_id="r", steps=[step]), catalog.nodes.get), threaded.extend)
    for events in (looped, threaded):
        assert [(e.status, e.tries) for e in events] == [
            ("executing", 0),
            ("retrying", 2),
            ("retrying", 3),
            ("completed", 3),
        ]
        assert [e.error for e in events if e.status == "retrying"] == ["call 1 failed", "call 2 failed"]
        assert codec.decode(bytes(events[-1].output), {}) == 7
    assert calls == [7] * 6
