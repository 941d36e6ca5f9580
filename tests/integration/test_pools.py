"""Runner pools: a gpu node waits in JetStream for a gpu runner, then runs only there."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from tests.support.graphs import by_node, edge, fn, graph, run_async, sse_events, var, view
from tests.support.stack import PSYNAPSE, copy_packs, start_stack, stop_stack

TAG = "PSYNAPSE_TEST_RUNNER_TAG"


@pytest.fixture(scope="module")
def stack(nats_server, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pools")
    packs = copy_packs(root / "nodepacks", "testpack", "gpupack")
    data = root / "data"
    data.mkdir()
    running = start_stack(nats_server.url, packs, data, runners=1)
    yield running
    stop_stack(running.process)


@contextmanager
def gpu_runner(stack, nats_url: str, log_dir: Path, tag: str = "gpu-runner") -> Iterator[subprocess.Popen]:
    """`psynapse runner --pool gpu`, with the stack's settings and one env var of its own."""
    env = {
        **os.environ,
        "PSYNAPSE_NATS_URL": nats_url,
        "PSYNAPSE_NODEPACKS_DIR": str(stack.nodepacks),
        "PSYNAPSE_DATA_DIR": str(stack.data_dir),
        "PSYNAPSE_LOG_FORMAT": "json",
        TAG: tag,
    }
    with open(log_dir / "gpu-runner.log", "wb") as log:
        process = subprocess.Popen(
            [*PSYNAPSE, "runner", "--pool", "gpu"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _pools(client) -> dict:
    return client.get("/health").json()["pools"]


def _wait_for(predicate, timeout: float = 30.0, pause: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(pause)
    raise AssertionError(f"not within {timeout} s")


def _gpu_consumer_exists(nats_url: str) -> bool:
    async def look() -> bool:
        nc = await nats.connect(nats_url)
        try:
            await nc.jetstream().consumer_info("PSY_JOBS", "runners-gpu")
            return True
        except NotFoundError:
            return False
        finally:
            await nc.close()

    return run_async(look())


def test_gpu_jobs_wait_for_a_gpu_runner_then_run_only_there(stack, nats_server, tmp_path):
    body = graph(
        [
            var("x", "5"),
            fn("a", "where"),
            fn("g", "gpu_where"),
            fn("b", "where"),
            view("v"),
            fn("s", "GpuSteps", steps=3, step_ms=20),
            view("w"),
        ],
        [edge("x", "a", "x"), edge("a", "g", "x"), edge("g", "b", "x"), edge("b", "v"), edge("s", "w")],
    )
    events: list = []

    def read() -> None:
        with stack.client(timeout=120) as client, client.stream("POST", "/execute/stream", json=body) as response:
            events.append((None, {"run_id": response.headers["x-run-id"]}))
            events.extend(sse_events(response))

    reader = threading.Thread(target=read)
    reader.start()
    with stack.client() as client:
        # Both gpu jobs (the decorated function and the PSYNAPSE_POOL class) are
        # in the stream; no runner takes them, though the default runner is idle.
        pools = _wait_for(lambda: (p := _pools(client)).get("gpu", {}).get("pending") == 2 and p)
        assert pools["gpu"] == {"consumers": 0, "pending": 2, "in_flight": 0}
        assert pools["default"]["consumers"] == 1
        assert not _gpu_consumer_exists(nats_server.url), "the gpu consumer exists before any gpu runner"
        time.sleep(1.0)
        run_id = events[0][1]["run_id"]
        assert client.get(f"/runs/{run_id}").json()["status"] == "running"
        assert _pools(client)["gpu"]["pending"] == 2
        seen = by_node(events[1:])
        assert [e["status"] for e in seen["a"]] == ["executing", "completed"] and "g" not in seen

        # The consumer a gpu runner creates now delivers the jobs published before it.
        with gpu_runner(stack, nats_server.url, tmp_path) as runner:
            reader.join(60)
            assert not reader.is_alive(), "the run did not finish once a gpu runner started"
            pools = _wait_for(lambda: (p := _pools(client))["gpu"]["consumers"] == 1 and p)
            assert pools["gpu"] == {"consumers": 1, "pending": 0, "in_flight": 0}
            gpu_pid = runner.pid

    final = events[-1][1]
    assert final["status"] == "done", final
    b_out = final["results"]["v"]
    g_out = b_out["x"]
    a_out = g_out["x"]
    assert (g_out["pid"], g_out["tag"]) == (gpu_pid, "gpu-runner")
    assert a_out["x"] == 5 and a_out["tag"] is None and b_out["tag"] is None
    assert gpu_pid not in (a_out["pid"], b_out["pid"])
    assert final["results"]["w"] == "gpu-runner"
    nodes = by_node(events[1:])
    for node_id in ("a", "g", "b", "s"):
        statuses = [e["status"] for e in nodes[node_id] if e["status"] != "progress"]
        assert statuses == ["executing", "completed"], (node_id, statuses)


def test_a_gpu_runner_takes_no_default_jobs(stack, nats_server, tmp_path):
    nodes = [fn(f"n{i}", "where", x=i) for i in range(16)] + [view(f"v{i}") for i in range(16)]
    edges = [edge(f"n{i}", f"v{i}") for i in range(16)]
    nodes += [fn("g", "gpu_sleep", ms=50), view("gv")]
    edges.append(edge("g", "gv"))
    with gpu_runner(stack, nats_server.url, tmp_path, tag="gpu-2") as runner, stack.client(timeout=60) as client:
        result = client.post("/execute", json=graph(nodes, edges)).json()
    assert result["results"]["gv"] == runner.pid
    tags = {result["results"][f"v{i}"]["tag"] for i in range(16)}
    pids = {result["results"][f"v{i}"]["pid"] for i in range(16)}
    assert tags == {None} and runner.pid not in pids
