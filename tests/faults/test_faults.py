"""Faults survived, with real processes and real signals: nothing is lost."""

from __future__ import annotations

import threading
import time

import httpx
import nats
import psutil
import pytest

from psynapse_common.subjects import Names
from tests.support.graphs import (
    by_node,
    edge,
    fn,
    graph,
    metric_sample,
    run_async,
    sse_events,
    stream,
    terminal_counts,
    var,
    view,
)
from tests.support.stack import copy_packs, start_stack, stop_stack

pytestmark = pytest.mark.faults

QUICK_REDELIVERY = {
    "PSYNAPSE_JOB_ACK_WAIT_S": "2",
    "PSYNAPSE_JOB_MAX_DELIVER": "2",
    "PSYNAPSE_RUN_ACK_WAIT_S": "3",
}


@pytest.fixture(scope="module")
def stack(nats_server, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("faults")
    packs = copy_packs(root / "nodepacks", "testpack", "basic")
    data = root / "data"
    data.mkdir()
    running = start_stack(nats_server.url, packs, data, env=QUICK_REDELIVERY)
    yield running
    stop_stack(running.process)


def _services(stack, name: str) -> list[psutil.Process]:
    return [p for p in psutil.Process(stack.process.pid).children() if f"psynapse {name}" in " ".join(p.cmdline())]


def _kill(stack, name: str) -> list[int]:
    """SIGKILL every process of a service; the fault happened: they existed, and they are gone."""
    victims = _services(stack, name)
    assert victims, f"no {name} process to kill"
    for victim in victims:
        victim.kill()
    for victim in victims:
        victim.wait(10)  # the supervisor reaps them
        assert not psutil.pid_exists(victim.pid) or psutil.Process(victim.pid).status() == psutil.STATUS_ZOMBIE
    return [victim.pid for victim in victims]


def _served_again(stack, name: str, old_pids: list[int], count: int, timeout: float = 30) -> None:
    """New processes of the service are up, and reported live by /health."""
    deadline = time.monotonic() + timeout
    with stack.client() as client:
        while True:
            try:
                live = {item["pid"] for item in client.get("/health").json()["services"].get(name, [])}
            except Exception:  # noqa: BLE001 - the gateway itself may be restarting
                live = set()
            if len(live) >= count and not live & set(old_pids):
                return
            assert time.monotonic() < deadline, f"no new {name} serving after the kill (old {old_pids}, live {live})"
            time.sleep(0.2)


def _log_intact(stack, run_id: str) -> None:
    """The stored log holds one end per node, and no stream had to leave a second one out."""
    counts = terminal_counts(stack.nats_url, run_id)
    assert counts and set(counts.values()) == {1}, counts
    with stack.client() as client:
        assert metric_sample(client.get("/metrics").text, "psynapse_gateway_sse_events_dropped_total") == 0


def _stream_in_background(stack, body: dict) -> tuple[list, threading.Event, threading.Thread]:
    events: list = []
    first_progress = threading.Event()

    def read() -> None:
        with stack.client(timeout=120) as client, client.stream("POST", "/execute/stream", json=body) as response:
            events.append((None, {"run_id": response.headers["x-run-id"]}))
            for item in sse_events(response):
                events.append(item)
                if item[1].get("status") == "progress":
                    first_progress.set()

    thread = threading.Thread(target=read)
    thread.start()
    return events, first_progress, thread


def test_runner_killed_mid_node_job_is_redelivered(stack):
    body = graph([fn("p", "SlowProgress", steps=10, step_ms=100), view("v")], [edge("p", "v")])
    events, first_progress, thread = _stream_in_background(stack, body)
    assert first_progress.wait(20)
    killed = _kill(stack, "runner")
    print(f"\nkilled {len(killed)} runners (SIGKILL) after the first progress event")
    thread.join(90)
    nodes = by_node(events[1:])
    statuses = [e["status"] for e in nodes["p"]]
    assert statuses.count("completed") == 1 and "error" not in statuses
    assert statuses.count("executing") >= 2  # the client sees the node start again
    assert events[-1][1] == {"status": "done", "results": {"v": 10}}
    _served_again(stack, "runner", killed, count=2)
    _log_intact(stack, events[0][1]["run_id"])


def test_node_that_kills_its_runner_fails_after_bounded_attempts(stack):
    crashing = graph([var("x", "1"), fn("c", "crash"), view("v")], [edge("x", "c", "x"), edge("c", "v")])
    healthy = graph([fn("a", "add", a=2, b=3), view("v")], [edge("a", "v")])
    with stack.client(timeout=120) as client:
        started = time.monotonic()
        result = client.post("/execute", json=crashing).json()
        took = time.monotonic() - started
        assert result["results"] == {"v": None}
        assert "'c' (crash)" in result["errors"]["c"] and "2 attempts" in result["errors"]["c"]
        print(f"\nthe crashing node failed cleanly after {took:.1f} s")
        deadline = time.monotonic() + 30
        while len(client.get("/health").json()["services"]["runner"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.post("/execute", json=healthy).json() == {"results": {"v": 5.0}}


def test_a_job_whose_runner_dies_every_time_fails_all_its_nodes(stack):
    def body(now: bool) -> dict:
        return graph(
            [var("x", "4"), fn("c", "crash_if", now=now), fn("a", "add", a=1, b=2), view("v"), view("w")],
            [edge("x", "c", "x"), edge("c", "v"), edge("a", "w")],
            cache=False,
        )

    with stack.client(timeout=120) as client:
        for _ in range(3):  # crash_if and add become quick: the run is one job, called on the runner's loop
            assert client.post("/execute", json=body(False)).json() == {"results": {"v": 4, "w": 3.0}}
        headers, events = stream(client, body(True))
        errors = {node: seen[-1]["error"] for node, seen in by_node(events).items()}
        # Nothing of the job was stored before its runner died: every node fails with the reason, none hangs.
        assert events[-1][1] == {"status": "done", "results": {"v": None, "w": None}}
        assert set(errors) == {"x", "c", "a", "v", "w"}
        assert all("did not finish after 2 attempts" in error for error in errors.values()), errors
        assert terminal_counts(stack.nats_url, headers["x-run-id"]) == dict.fromkeys(errors, 1)
        deadline = time.monotonic() + 30
        while len(client.get("/health").json()["services"]["runner"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.post("/execute", json=body(False)).json() == {"results": {"v": 4, "w": 3.0}}


def test_orchestrator_killed_mid_run_is_resumed_without_rerunning(stack):
    body = graph(
        [
            fn("first", "slow_identity", x=7, ms=50),
            fn("third", "add", b=1),
            view("v"),
            fn("second", "SlowProgress", steps=8, step_ms=150),
            view("w"),
        ],
        [edge("first", "third", "a"), edge("third", "v"), edge("second", "w")],
    )
    events, first_progress, thread = _stream_in_background(stack, body)
    assert first_progress.wait(20)
    killed = _kill(stack, "orchestrator")
    print("\nkilled the orchestrator (SIGKILL) mid-run")
    thread.join(90)
    nodes = by_node(events[1:])
    assert [e["status"] for e in nodes["first"]].count("executing") == 1
    assert events[-1][1] == {"status": "done", "results": {"v": 8.0, "w": 8}}
    _served_again(stack, "orchestrator", killed, count=1)
    _log_intact(stack, events[0][1]["run_id"])


def test_orchestrator_killed_mid_map_resumes_without_rerunning_finished_items(stack):
    sleepy = graph(
        [
            var("x", "0", variableName="x"),
            fn("s", "slow_identity", ms=300),
            {"id": "out", "type": "viewNode", "data": {"viewName": "result"}},
        ],
        [edge("x", "s", "x"), edge("s", "out")],
    )
    with stack.client() as client:
        assert client.put("/workflows/fault_sleepy", json=sleepy).status_code in (200, 201)
    body = graph(
        [
            var("xs", str(list(range(12))), "List"),
            {"id": "m", "type": "mapNode", "data": {"workflow": "fault_sleepy", "itemInput": "x", "concurrency": 2}},
            view("v"),
        ],
        [edge("xs", "m", "items"), edge("m", "v")],
        cache=False,
    )
    events: list = []
    four_done = threading.Event()

    def read() -> None:
        with stack.client(timeout=120) as client, client.stream("POST", "/execute/stream", json=body) as response:
            events.append((None, {"run_id": response.headers["x-run-id"]}))
            for item in sse_events(response):
                events.append(item)
                if item[1].get("node_id") == "m" and item[1].get("progress_message", "").startswith("4/12"):
                    four_done.set()

    thread = threading.Thread(target=read)
    thread.start()
    assert four_done.wait(30)
    killed = _kill(stack, "orchestrator")
    print("\nkilled the orchestrator (SIGKILL) with 4 of 12 map items done")
    thread.join(90)
    assert events[-1][1] == {"status": "done", "results": {"v": [float(i) for i in range(12)]}}
    nodes = by_node(events[1:])
    for index in range(12):
        assert [e["status"] for e in nodes[f"m/{index}/s"]].count("executing") == 1, index
    _served_again(stack, "orchestrator", killed, count=1)
    _log_intact(stack, events[0][1]["run_id"])


# Two quick branches: one job once add is known quick, two for an orchestrator that never saw add.
QUICK_RUN = graph(
    [var("x", "5"), fn("a", "add", b=1), view("v"), var("y", "1"), fn("b", "add", b=2), view("w")],
    [edge("x", "a", "a"), edge("a", "v"), edge("y", "b", "a"), edge("b", "w")],
    cache=False,
)
QUICK_ANSWER = {"status": "done", "results": {"v": 6.0, "w": 3.0}}
RUNNER_SLOTS = 2 * 8  # two runners, eight jobs each


def _learn_quick(stack) -> None:
    with stack.client() as client:
        for _ in range(3):
            assert client.post("/execute", json=QUICK_RUN).json() == {"results": QUICK_ANSWER["results"]}


def _fill_every_runner_slot(stack, ms: int) -> tuple[list, threading.Thread]:
    busy = graph(
        [fn(f"s{i}", "slow_identity", x=i, ms=ms) for i in range(RUNNER_SLOTS)]
        + [view(f"w{i}") for i in range(RUNNER_SLOTS)],
        [edge(f"s{i}", f"w{i}") for i in range(RUNNER_SLOTS)],
        cache=False,
    )
    busy_events, _, busy_thread = _stream_in_background(stack, busy)
    deadline = time.monotonic() + 20
    while sum(e[1].get("status") == "executing" for e in busy_events) < RUNNER_SLOTS and time.monotonic() < deadline:
        time.sleep(0.05)
    return busy_events, busy_thread


def test_orchestrator_killed_while_a_runs_job_waits_for_a_runner(stack):
    _learn_quick(stack)
    busy_events, busy_thread = _fill_every_runner_slot(stack, ms=4000)
    # Every runner slot is taken: the quick run's one job waits in PSY_JOBS while its orchestrator dies.
    events, _, thread = _stream_in_background(stack, QUICK_RUN)
    time.sleep(0.5)
    killed = _kill(stack, "orchestrator")
    print("\nkilled the orchestrator (SIGKILL) while a run's job was queued")
    thread.join(90)
    busy_thread.join(90)
    assert events[-1][1] == QUICK_ANSWER
    assert busy_events[-1][1]["status"] == "done"
    # The next orchestrator, which would cut the run in two jobs, found its one job
    # queued and waited for it: no node ran twice.
    assert terminal_counts(stack.nats_url, events[0][1]["run_id"]) == dict.fromkeys(["x", "a", "v", "y", "b", "w"], 1)
    assert [e[1]["status"] for e in events[1:] if e[1].get("node_id") == "a"] == ["executing", "completed"]
    _served_again(stack, "orchestrator", killed, count=1)


def test_runs_queued_behind_a_busy_pool_are_kept_held(stack):
    """Every run the orchestrator holds is kept alive on every tick (the run ack wait here is 3 s)."""
    _learn_quick(stack)

    async def redelivered_submits() -> int:
        nc = await nats.connect(stack.nats_url)
        info = await nc.jetstream().consumer_info(Names().runs_stream, Names().orchestrators_consumer)
        await nc.close()
        return info.num_redelivered or 0

    busy_events, busy_thread = _fill_every_runner_slot(stack, ms=7000)
    queued = [_stream_in_background(stack, QUICK_RUN) for _ in range(8)]
    most_redelivered = 0
    while busy_thread.is_alive():
        most_redelivered = max(most_redelivered, run_async(redelivered_submits()))
        time.sleep(0.5)
    for events, _, thread in queued:
        thread.join(60)
        assert events[-1][1] == QUICK_ANSWER
        assert set(terminal_counts(stack.nats_url, events[0][1]["run_id"]).values()) == {1}
    assert busy_events[-1][1]["status"] == "done"
    assert most_redelivered == 0


def test_nats_restart_mid_run(stack, nats_server):
    body = graph([fn("p", "SlowProgress", steps=12, step_ms=150), view("v")], [edge("p", "v")])
    events, first_progress, thread = _stream_in_background(stack, body)
    assert first_progress.wait(20)
    old_pid = nats_server.process.pid
    nats_server.restart()
    assert nats_server.process.pid != old_pid and not psutil.pid_exists(old_pid)
    print("\nrestarted nats-server (same store) mid-run")
    thread.join(120)
    run_id = events[0][1]["run_id"]
    with stack.client(timeout=60) as client:
        deadline = time.monotonic() + 60
        while client.get(f"/runs/{run_id}").json()["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        with client.stream("GET", f"/runs/{run_id}/events") as response:
            log = list(sse_events(response))
    progress = [e["progress"] for _, e in log if e.get("status") == "progress"]
    assert progress == [pytest.approx(i / 12) for i in range(1, 13)], "a gap or a duplicate"
    assert [e["status"] for _, e in log if e.get("node_id") == "p"].count("completed") == 1
    assert log[-1][1] == {"status": "done", "results": {"v": 12}}
    # The client that streamed through the restart got the same log, to the end.
    assert not thread.is_alive() and events[1:] == log
    _log_intact(stack, run_id)


def test_gateway_restart_client_resumes_with_last_event_id(stack):
    body = graph([fn("p", "SlowProgress", steps=15, step_ms=100), view("v")], [edge("p", "v")])
    seen: list = []
    killed: list[int] = []
    with stack.client(timeout=60) as client:
        # The connection dies with the gateway, as intended.
        with pytest.raises(httpx.TransportError), client.stream("POST", "/execute/stream", json=body) as response:
            run_id = response.headers["x-run-id"]
            for item in sse_events(response):
                seen.append(item)
                if item[1].get("status") == "progress" and len(seen) > 3 and not killed:
                    killed = _kill(stack, "gateway")
        assert killed, "the gateway was never killed"
        print(f"\nkilled the gateway after {len(seen)} events")
        _served_again(stack, "gateway", killed, count=1)
        with client.stream("GET", f"/runs/{run_id}/events", headers={"Last-Event-ID": seen[-1][0]}) as response:
            rest = list(sse_events(response))
        with client.stream("GET", f"/runs/{run_id}/events") as response:
            whole = list(sse_events(response))
    assert seen + rest == whole
    assert whole[-1][1] == {"status": "done", "results": {"v": 15}}
    _log_intact(stack, run_id)


def test_two_orchestrators_and_three_runners_share_200_concurrent_runs(stack, nats_server, tmp_path):
    import os
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    env = {
        **os.environ,
        "PSYNAPSE_NATS_URL": nats_server.url,
        "PSYNAPSE_NODEPACKS_DIR": str(stack.nodepacks),
        **QUICK_REDELIVERY,
    }
    log = tmp_path / "second-orchestrator.log"
    with open(log, "wb") as out:
        second = subprocess.Popen(
            [sys.executable, "-m", "psynapse", "orchestrator"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    third_runner = subprocess.Popen(
        [sys.executable, "-m", "psynapse", "runner"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(2)

        def one(i: int) -> tuple[int, dict]:
            body = graph(
                [var("x", str(i)), fn("a", "add", b=1000), fn("m", "multiply", b=2), view("v")],
                [edge("x", "a", "a"), edge("a", "m", "a"), edge("m", "v")],
            )
            with stack.client(timeout=120) as client:
                return i, client.post("/execute", json=body).json()

        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(one, range(200)))
    finally:
        for process in (second, third_runner):
            process.terminate()
            process.wait(30)
    assert all(body == {"results": {"v": (i + 1000) * 2.0}} for i, body in results)
    taken_by_second = log.read_text().count('"run.finished"')
    print(f"\nthe second orchestrator finished {taken_by_second} of 200 runs")
    assert 0 < taken_by_second < 200


def test_a_client_that_never_reads_does_not_grow_the_gateway(stack):
    import socket

    gateway = _services(stack, "gateway")[0]
    before = gateway.memory_info().rss
    body = graph([fn("f", "Flood", count=30000), view("v")], [edge("f", "v")])
    payload = __import__("json").dumps(body).encode()
    host, port = stack.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(
        b"POST /execute/stream HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    head = sock.recv(2048).decode(errors="replace")
    run_id = head.split("x-run-id: ")[1].split("\r\n")[0]
    with stack.client() as client:
        deadline = time.monotonic() + 60
        while client.get(f"/runs/{run_id}").json()["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        grown_mb = (gateway.memory_info().rss - before) / 2**20
        sock.close()
        print(f"\ngateway RSS grew {grown_mb:.1f} MB while a client left 30,000 events unread")
        assert grown_mb < 64
        with client.stream("GET", f"/runs/{run_id}/events") as response:
            chunks = [e for _, e in sse_events(response) if e.get("status") == "streaming"]
    assert len(chunks) == 30000 and chunks[-1]["streaming_chunk"] == "29999 "


def test_1000_runs_in_bursts_finish_and_leak_nothing(stack):
    import asyncio

    import httpx

    def rss() -> dict[str, int]:
        return {
            " ".join(p.cmdline()[2:4]) + f"#{p.pid}": p.memory_info().rss
            for p in psutil.Process(stack.process.pid).children()
        }

    body = graph(
        [var("x", "3"), fn("a", "add", b=4), fn("m", "multiply", b=2), view("v")],
        [edge("x", "a", "a"), edge("a", "m", "a"), edge("m", "v")],
    )

    async def burst(n: int) -> list[dict]:
        async with httpx.AsyncClient(base_url=stack.url, timeout=60) as client:
            return [r.json() for r in await asyncio.gather(*[client.post("/execute", json=body) for _ in range(n)])]

    from tests.support.graphs import run_async

    for _ in range(2):  # warm-up: caches, pools and buffers reach their working size
        run_async(burst(50))
    before = rss()
    results = []
    for _ in range(20):
        results += run_async(burst(50))
    after = rss()
    assert len(results) == 1000 and all(r == {"results": {"v": 14.0}} for r in results)
    lines = [f"{name}: {before[name] / 2**20:.1f} -> {after[name] / 2**20:.1f} MB" for name in before if name in after]
    print("\n" + "\n".join(lines))
    total_before, total_after = sum(before.values()), sum(after[k] for k in before if k in after)
    assert total_after <= total_before * 1.2
