"""A call that never returns, under @timeout(1), on a runner with one thread.

The run ends when the timeout says; the thread is written off as stuck after the grace
period and a new one takes its slot (with one slot, every later threaded call proves
it); /health and the metrics report it; past PSYNAPSE_RUNNER_MAX_STUCK_THREADS the
runner drains and is started afresh.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.graphs import by_node, fn, graph, metric_sample, stream, wait_for
from tests.support.stack import copy_packs, free_run_of_ports, start_stack, stop_stack

GRACE_S = 0.5


@pytest.fixture(scope="module")
def one_thread(nats_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("stuck")
    packs = copy_packs(root / "nodepacks", "testpack")
    data = root / "data"
    data.mkdir()
    port = free_run_of_ports(2)
    env = {
        "PSYNAPSE_METRICS_PORT": str(port),
        "PSYNAPSE_RUNNER_CONCURRENCY": "1",
        "PSYNAPSE_RUNNER_STUCK_GRACE_S": str(GRACE_S),
        "PSYNAPSE_RUNNER_MAX_STUCK_THREADS": "1",
    }
    running = start_stack(nats_server.url, packs, data, runners=1, env=env)
    yield running, port + 1  # the runner's metrics port
    stop_stack(running.process)


def runner(client: httpx.Client) -> dict:
    [one] = client.get("/health").json()["services"].get("runner") or [None]
    return one


def test_a_call_that_never_returns_times_out_and_its_thread_is_written_off(one_thread):
    stack, runner_port = one_thread
    with stack.client() as client:
        pid = runner(client)["pid"]
        started = time.monotonic()
        _, events = stream(client, graph([fn("s", "sleep_forever")], []))
        took = time.monotonic() - started
        end = by_node(events)["s"][-1]
        assert (end["status"], end["error"], end["error_kind"]) == ("error", "timed out after 1 s", "timeout")
        assert 1 <= took < 2.5, took
        # The runner's one slot is given back after the grace period: a threaded call runs.
        _, events = stream(client, graph([fn("k", "slow_identity", x=5, ms=50)], []))
        assert by_node(events)["k"][-1]["output"] == 5
        assert wait_for(lambda: runner(client).get("stuck_threads") == 1)
        assert runner(client)["pid"] == pid  # the same runner, serving on
    health = httpx.get(f"http://127.0.0.1:{runner_port}/health").json()
    assert health["status"] == "ok" and health["stuck_threads"] == 1
    metrics = httpx.get(f"http://127.0.0.1:{runner_port}/metrics").text
    assert metric_sample(metrics, "psynapse_runner_stuck_threads", pool="default") == 1
    assert metric_sample(metrics, "psynapse_runner_calls_abandoned_total", function="sleep_forever") == 1


def test_a_runner_with_more_stuck_threads_than_allowed_is_started_afresh(one_thread):
    stack, _ = one_thread
    with stack.client() as client:
        before = runner(client)
        for _ in range(2 - before.get("stuck_threads", 0)):  # one more than the one allowed
            _, events = stream(client, graph([fn("s", "sleep_forever")], []))
            assert by_node(events)["s"][-1]["error"] == "timed out after 1 s"
        fresh = wait_for(lambda: (r := runner(client)) and r["pid"] != before["pid"] and r, within_s=40)
        assert fresh.get("stuck_threads") == 0
        _, events = stream(client, graph([fn("k", "slow_identity", x=6, ms=50)], []))
        assert by_node(events)["k"][-1]["output"] == 6
    log = (stack.data_dir / "up.log").read_text()
    assert "runner-1 stopped to be restarted (too many stuck threads); restarting" in log


def test_a_job_with_env_vars_is_kept_from_a_runner_with_a_stuck_thread(one_thread):
    stack, _ = one_thread
    with stack.client() as client:
        before = runner(client)
        if before.get("stuck_threads", 0) == 0:
            stream(client, graph([fn("s", "sleep_forever")], []))
            wait_for(lambda: runner(client).get("stuck_threads") == 1)
        # The stuck thread could read the job's env_vars: the job waits for a fresh runner.
        body = graph([fn("r", "read_env", var_name="TOKEN", ms=10)], [], env_vars={"TOKEN": "abc"})
        _, events = stream(client, body)
        assert by_node(events)["r"][-1]["status"] == "completed"
        fresh = runner(client)
        assert fresh["pid"] != before["pid"] and fresh.get("stuck_threads") == 0
    assert "a stuck thread keeps jobs with env_vars from running here" in (stack.data_dir / "up.log").read_text()
