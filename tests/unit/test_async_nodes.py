"""Nodes whose call is awaited: async def functions, async __call__ classes, async generators.

Loaded and introspected like the others; called through the one segment walk, either on
an event loop (``invoke_async``, as the runner does) or in a thread (``invoke``, as a job
with env_vars and the in-process way do); a cancel ends the awaiting task.
"""

from __future__ import annotations

import asyncio
import textwrap
import threading
import time
from pathlib import Path

import msgspec

from psynapse_common import codec
from psynapse_common.execute import Call, SegmentRun
from psynapse_common.invoke import CancelFlag
from psynapse_common.messages import Job, Step
from psynapse_common.nodepacks import load_catalog

PACK = {
    "ops.py": """
        import asyncio
        from typing import AsyncIterator, Literal


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


        NAPS: list[str] = []
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


def call_of(catalog, name: str, **inputs) -> tuple[SegmentRun, Call]:
    step = Step(node_id="n", node_name=name, node_type="functionNode", inputs={})
    run = SegmentRun(Job(run_id="r", steps=[step]), catalog.nodes.get)
    encoded = {key: msgspec.Raw(codec.encode(value)) for key, value in inputs.items()}
    return run, Call(step, catalog.nodes[name], encoded, {})


def test_async_nodes_are_introspected_like_sync_ones(tmp_path):
    catalog = load(tmp_path)
    kinds = {name: (spec.kind, spec.awaited) for name, spec in catalog.nodes.items()}
    assert kinds == {
        "fetch": ("function", True),
        "spell": ("stream", True),
        "nap": ("function", True),
        "broken": ("function", True),
        "plain": ("function", False),
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

    async def on_loop() -> tuple[float, object]:
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
