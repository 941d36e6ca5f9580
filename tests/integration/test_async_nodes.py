"""Async nodes on a real stack with one runner: awaited on its event loop, not in its thread
slots, so hundreds of I/O-bound nodes run at once; an async generator streams; a cancel
ends an awaiting node, and so does its timeout (no thread is left behind); a failed call is
retried as its policy says."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from psynapse_common.settings import Settings
from tests.support.graphs import by_node, edge, fn, graph, lst, sse_events, stream, view
from tests.support.stack import stack_with_packs

ASYNC_OPS = """
    import asyncio
    import os
    from collections.abc import AsyncIterator
    from pathlib import Path

    from psynapse import retry


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


    @retry(times=3, backoff_s=0.05, on=ConnectionError)
    async def shaky_fetch(counter: str, fails: int = 2) -> int:
        "Fail the first `fails` calls, as a flaky service does."
        path = Path(counter)
        calls = len(path.read_text().splitlines()) + 1 if path.exists() else 1
        path.write_text("call\\n" * calls)
        await asyncio.sleep(0.01)
        if calls <= fails:
            raise ConnectionError(f"call {calls} failed")
        return calls


    async def spell(word: str, delay_ms: int = 20) -> AsyncIterator[str]:
        "One letter at a time."
        for letter in word:
            await asyncio.sleep(delay_ms / 1000)
            yield letter
"""

NAPS = 200


@pytest.fixture(scope="module")
def async_stack(nats_server, tmp_path_factory: pytest.TempPathFactory):
    with stack_with_packs(
        nats_server.url, tmp_path_factory.mktemp("async"), {"asyncs": ASYNC_OPS}, runners=1
    ) as running:
        yield running


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


def test_an_awaiting_node_past_its_timeout_is_cancelled_and_leaves_no_stuck_thread(async_stack, tmp_path: Path):
    marker = tmp_path / "cancelled"
    body = graph([fn("z", "long_nap", marker=str(marker), timeout_s=0.5), view("v")], [edge("z", "v")])
    with async_stack.client() as client:
        started = time.monotonic()
        _, events = stream(client, body)
        took = time.monotonic() - started
        end = by_node(events)["z"][-1]
        assert (end["status"], end["error"], end["error_kind"]) == ("error", "timed out after 0.5 s", "timeout")
        assert took < 3, took
        [runner] = client.get("/health").json()["services"]["runner"]
    # Its task was cancelled at its await: nothing runs on, nothing is written off.
    deadline = time.monotonic() + 5
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.read_text() == "cancelled"
    assert runner.get("stuck_threads", 0) == 0


def test_a_failing_awaited_call_is_retried_as_its_policy_says(async_stack, tmp_path: Path):
    counter = tmp_path / "calls"
    body = graph([fn("r", "shaky_fetch", counter=str(counter)), view("v")], [edge("r", "v")])
    with async_stack.client() as client:
        _, events = stream(client, body)
    r = by_node(events)["r"]
    assert [e["status"] for e in r] == ["executing", "retrying", "retrying", "completed"]
    assert [(e["attempt"], e["max_attempts"], e["error"]) for e in r[1:3]] == [
        (2, 3, "call 1 failed"),
        (3, 3, "call 2 failed"),
    ]
    assert (r[-1]["output"], r[-1]["attempts"]) == (3, 3)
    assert events[-1][1] == {"status": "done", "results": {"v": 3}}
    assert len(counter.read_text().splitlines()) == 3
