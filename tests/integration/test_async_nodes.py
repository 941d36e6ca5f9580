"""Async nodes on a real stack with one runner: awaited on its event loop, not in its thread
slots, so hundreds of I/O-bound nodes run at once; an async generator streams; a cancel
ends an awaiting node."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from psynapse_common.settings import Settings
from tests.support.graphs import by_node, edge, fn, graph, lst, sse_events, stream, view
from tests.support.stack import copy_packs, start_stack, stop_stack

ASYNC_OPS = """
    import asyncio
    import os
    from collections.abc import AsyncIterator
    from pathlib import Path


    async def nap(seconds: float = 1.0) -> float:
        "Await a sleep, as an HTTP or LLM call awaits its answer."
        await asyncio.sleep(seconds)
        return seconds


    async def long_nap(marker: str, seconds: float = 60.0) -> str:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            Path(marker).write_text("cancelled")
            raise
        return "woke"


    async def env_value(var_name: str) -> str:
        await asyncio.sleep(0.01)
        return os.environ.get(var_name, "")


    async def spell(word: str, delay_ms: int = 20) -> AsyncIterator[str]:
        "One letter at a time."
        for letter in word:
            await asyncio.sleep(delay_ms / 1000)
            yield letter
"""

NAPS = 200


@pytest.fixture(scope="module")
def async_stack(nats_server, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("async")
    packs = copy_packs(root / "nodepacks", "basic")
    (packs / "asyncs").mkdir()
    (packs / "asyncs" / "ops.py").write_text(textwrap.dedent(ASYNC_OPS).lstrip())
    data = root / "data"
    data.mkdir()
    running = start_stack(nats_server.url, packs, data, runners=1)
    yield running
    stop_stack(running.process)


def test_two_hundred_awaiting_nodes_finish_together_on_one_runner(async_stack):
    threads = Settings().runner_concurrency
    # In thread slots alone they would take NAPS / threads seconds.
    assert NAPS / threads >= 5 * 4
    nodes = [fn(f"n{i}", "nap", seconds=1) for i in range(NAPS)]
    edges = [edge(f"n{i}", "L", f"input-{i}") for i in range(NAPS)]
    body = graph([*nodes, lst("L"), view("v")], [*edges, edge("L", "v")])
    with async_stack.client(timeout=120) as client:
        started = time.monotonic()
        answer = client.post("/execute", json=body).json()
        took = time.monotonic() - started
    assert answer == {"results": {"v": [1.0] * NAPS}}
    print(f"\n{NAPS} nodes awaiting a 1 s sleep each ran in {took:.2f} s on one runner ({threads} threads)")
    assert took < 5


def test_an_async_generator_streams_its_items(async_stack):
    body = graph([fn("s", "spell", word="async"), view("v")], [edge("s", "v")])
    with async_stack.client() as client:
        _, events = stream(client, body)
    nodes = by_node(events)
    chunks = [e for e in nodes["s"] if e["status"] == "streaming"]
    assert [e["streaming_chunk"] for e in chunks] == list("async")
    assert [e["streaming_text"] for e in chunks] == ["a", "as", "asy", "asyn", "async"]
    assert nodes["s"][-1]["status"] == "completed" and nodes["s"][-1]["output"] == "async"
    assert events[-1][1] == {"status": "done", "results": {"v": "async"}}


def test_a_cancel_ends_an_awaiting_node(async_stack, tmp_path: Path):
    marker = tmp_path / "cancelled"
    body = graph([fn("z", "long_nap", marker=str(marker)), view("v")], [edge("z", "v")])
    with async_stack.client() as client:
        with client.stream("POST", "/execute/stream", json=body) as response:
            run_id = response.headers["x-run-id"]
            events = []
            for _, data in sse_events(response):
                events.append(data)
                if data.get("node_id") == "z" and data.get("status") == "executing":
                    started = time.monotonic()
                    assert client.post(f"/runs/{run_id}/cancel").status_code == 202
        took = time.monotonic() - started
        assert events[-1] == {"status": "error", "error": "cancelled"}
        assert by_node([(None, e) for e in events])["z"][-1]["error"] == "cancelled"
        assert client.get(f"/runs/{run_id}").json()["status"] == "cancelled"
    # The node's task was cancelled at its await, not left sleeping.
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.read_text() == "cancelled"
    assert took < 3


def test_an_async_node_sees_its_runs_env_vars_and_no_other_run_does(async_stack):
    body = graph([fn("e", "env_value", var_name="PSY_ASYNC_TOKEN"), view("v")], [edge("e", "v")])
    with async_stack.client() as client:
        with_env = client.post("/execute", json={**body, "env_vars": {"PSY_ASYNC_TOKEN": "t0k3n"}}).json()
        without = client.post("/execute", json=body).json()
    assert with_env == {"results": {"v": "t0k3n"}}
    assert without == {"results": {"v": ""}}
