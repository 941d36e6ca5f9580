"""The backbone in trouble: NATS unreachable, a stream at its limits, the embedded server killed."""

from __future__ import annotations

import threading
import time

import nats
import psutil
import pytest
from nats.js.api import DiscardPolicy

from tests.support.graphs import by_node, edge, fn, graph, run_async, sse_events, terminal_counts, var, view
from tests.support.stack import copy_packs, start_nats, start_stack, stop_stack

pytestmark = pytest.mark.faults

QUICK = graph([var("x", "20"), fn("a", "add", b=1), view("v")], [edge("x", "a", "a"), edge("a", "v")], cache=False)


@pytest.fixture
def own_nats_stack(tmp_path):
    """A stack on a nats-server of its own, which the test may stop and start."""
    server = start_nats(tmp_path / "jetstream")
    data = tmp_path / "data"
    data.mkdir()
    stack = start_stack(server.url, copy_packs(tmp_path / "nodepacks", "testpack", "basic"), data)
    yield stack, server
    stop_stack(stack.process)
    server.stop()


def test_new_runs_get_503_with_retry_after_while_nats_is_down(own_nats_stack):
    stack, server = own_nats_stack
    with stack.client(timeout=30) as client:
        assert client.post("/execute", json=QUICK).json() == {"results": {"v": 21.0}}
        pid = server.process.pid
        server.stop()
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        deadline = time.monotonic() + 10
        while True:  # the gateway notices the lost connection within moments
            refused = client.post("/execute", json=QUICK)
            if refused.status_code == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["retry-after"]) > 0
        assert "backbone" in refused.json()["detail"]
        streamed = client.post("/execute/stream", json=QUICK)
        assert streamed.status_code == 503 and streamed.headers["retry-after"]
        server.restart()  # same port, same store
        deadline = time.monotonic() + 30
        while client.get("/health").status_code != 200:
            assert time.monotonic() < deadline, "not healthy again after NATS came back"
            time.sleep(0.2)
        assert client.post("/execute", json=QUICK).json() == {"results": {"v": 21.0}}


def test_a_job_that_cannot_be_queued_fails_its_nodes_at_once(own_nats_stack):
    stack, server = own_nats_stack

    async def limit_jobs(max_bytes: int) -> None:
        nc = await nats.connect(server.url)
        try:
            js = nc.jetstream()
            config = (await js.stream_info("PSY_JOBS")).config
            config.max_bytes = max_bytes
            config.discard = DiscardPolicy.NEW
            await js.update_stream(config)
        finally:
            await nc.close()

    with stack.client(timeout=30) as client:
        assert client.post("/execute", json=QUICK).json() == {"results": {"v": 21.0}}
        run_async(limit_jobs(1))  # no job fits: the stream refuses every one
        try:
            started = time.monotonic()
            answer = client.post("/execute", json=QUICK).json()
            took = time.monotonic() - started
        finally:
            run_async(limit_jobs(-1))
        assert answer["results"] == {"v": None}
        assert "the job could not be queued" in answer["errors"]["x"]
        assert "maximum bytes exceeded" in answer["errors"]["x"]
        assert took < 5, f"the run waited {took:.1f} s for a job that could never be queued"
        assert client.post("/execute", json=QUICK).json() == {"results": {"v": 21.0}}


def _embedded_nats(stack) -> psutil.Process:
    return next(p for p in psutil.Process(stack.process.pid).children() if "nats-server" in p.name())


def test_the_embedded_nats_server_killed_three_times_is_restarted_and_runs_finish(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    stack = start_stack(None, copy_packs(tmp_path / "nodepacks", "testpack", "basic"), data)
    runs: list[tuple[dict, list, threading.Thread]] = []

    def stream(body: dict) -> None:
        events: list = []

        def read() -> None:
            with stack.client(timeout=180) as client, client.stream("POST", "/execute/stream", json=body) as response:
                events.append((None, {"run_id": response.headers["x-run-id"]}))
                events.extend(sse_events(response))

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        runs.append((body, events, thread))

    try:
        with stack.client(timeout=30) as client:
            for kill in range(3):
                for n in range(2):
                    stream(
                        graph(
                            [
                                fn("p", "SlowProgress", steps=15, step_ms=100),
                                view("pv"),
                                var("x", str(kill * 10 + n)),
                                fn("s", "slow_identity", ms=300),
                                view("sv"),
                            ],
                            [edge("p", "pv"), edge("x", "s", "x"), edge("s", "sv")],
                            cache=False,
                        )
                    )
                time.sleep(0.6)  # the runs are under way
                victim = _embedded_nats(stack)
                victim.kill()
                victim.wait(5)  # reaped by the supervisor: gone, not a zombie
                assert not psutil.pid_exists(victim.pid)
                started = time.monotonic()
                while client.get("/health").status_code != 200 or _embedded_nats(stack).pid == victim.pid:
                    assert time.monotonic() - started < 20, "not healthy again after nats-server was killed"
                    time.sleep(0.1)
                print(
                    f"\nkill {kill + 1}: healthy again {time.monotonic() - started:.1f} s later, "
                    f"nats-server pid {victim.pid} -> {_embedded_nats(stack).pid}"
                )
        for body, events, thread in runs:
            thread.join(120)
            assert not thread.is_alive(), "a streamed run never ended"
            x = int(body["nodes"][2]["data"]["variableValue"])
            assert events[-1][1] == {"status": "done", "results": {"pv": 15, "sv": x}}, events[-5:]
            nodes = by_node(events[1:])
            assert [e["status"] for e in nodes["p"]].count("completed") == 1
            assert set(terminal_counts(stack.nats_url or _url(stack), events[0][1]["run_id"]).values()) == {1}
    finally:
        stop_stack(stack.process)


def _url(stack) -> str:
    """The embedded server's URL with its credentials, read from its config file."""
    text = (stack.data_dir / "nats-server.conf").read_text()
    port = text.split("port: ", 1)[1].split()[0]
    password = text.split("password: ", 1)[1].split()[0].strip('"')
    return f"nats://psynapse:{password}@127.0.0.1:{port}"
