"""Prometheus /metrics and /health of the orchestrator and runners, as `psynapse up` ports them."""

from __future__ import annotations

import time
import uuid

import httpx
import nats
import pytest

from psynapse_common.messages import ServiceBeat, encode
from psynapse_common.subjects import Names
from tests.support.graphs import edge, fn, graph, metric_sample, run_async, spec_example, var, view
from tests.support.stack import copy_packs, free_run_of_ports, start_stack, stop_stack


@pytest.fixture(scope="module")
def metered(nats_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("metered")
    packs = copy_packs(root / "nodepacks", "testpack", "basic")
    data = root / "data"
    data.mkdir()
    base = free_run_of_ports(3)
    running = start_stack(nats_server.url, packs, data, runners=2, env={"PSYNAPSE_METRICS_PORT": str(base)})
    yield running, base
    stop_stack(running.process)


def test_orchestrator_and_runners_export_runs_nodes_and_failures(metered):
    stack, base = metered
    failing = graph(
        [var("a", "1"), var("z", "0"), fn("d", "divide"), view("v")],
        [edge("a", "d", "a"), edge("z", "d", "b"), edge("d", "v")],
    )
    with stack.client() as client:
        for _ in range(3):  # no cache: each run calls its nodes
            body = {**spec_example(), "cache": False}
            assert client.post("/execute", json=body).json()["results"]["View"] == 48
        assert "errors" in client.post("/execute", json=failing).json()
    orchestrator = httpx.get(f"http://127.0.0.1:{base}/metrics").text
    assert metric_sample(orchestrator, "psynapse_runs_started_total") >= 4
    assert metric_sample(orchestrator, "psynapse_runs_finished_total", status="done") >= 3
    assert metric_sample(orchestrator, "psynapse_runs_finished_total", status="error") >= 1
    assert metric_sample(orchestrator, "psynapse_run_duration_seconds_count") >= 4
    # the spec example calls add twice and multiply once per run
    assert metric_sample(orchestrator, "psynapse_node_duration_seconds_count", function="add") >= 6
    assert metric_sample(orchestrator, "psynapse_node_duration_seconds_count", function="multiply") >= 3
    assert metric_sample(orchestrator, "psynapse_node_failures_total", function="divide") >= 1
    runners = [httpx.get(f"http://127.0.0.1:{base + i}/metrics").text for i in (1, 2)]
    calls = sum(metric_sample(text, "psynapse_runner_node_calls_total", function="add") for text in runners)
    failures = sum(metric_sample(text, "psynapse_runner_node_failures_total", function="divide") for text in runners)
    jobs = sum(metric_sample(text, "psynapse_runner_jobs_total", pool="default") for text in runners)
    assert calls >= 6 and failures >= 1 and jobs >= 4
    assert all("psynapse_runner_jobs_in_flight" in text for text in runners)


def test_health_answers_on_the_metrics_port(metered):
    _, base = metered
    for port in (base, base + 1, base + 2):
        response = httpx.get(f"http://127.0.0.1:{port}/health")
        assert response.status_code == 200 and response.json()["status"] == "ok"


def _metrics_until(client: httpx.Client, ready, seconds: float = 10.0) -> str:
    """/metrics once ``ready(text)`` holds: a scrape may miss the queues (it says so, and the next one reads them)."""
    deadline = time.monotonic() + seconds
    text = client.get("/metrics").text
    while not ready(text) and time.monotonic() < deadline:
        time.sleep(0.2)
        text = client.get("/metrics").text
    return text


def test_gateway_exports_queue_depth_and_submitted_runs(metered):
    stack, _ = metered
    with stack.client() as client:
        assert client.post("/execute", json=spec_example()).status_code == 200
        text = _metrics_until(client, lambda t: metric_sample(t, "psynapse_pool_runners", pool="default") == 2)
    assert metric_sample(text, "psynapse_gateway_runs_submitted_total") >= 1
    assert metric_sample(text, "psynapse_pool_runners", pool="default") == 2
    assert 'psynapse_jobs_pending{pool="default"}' in text
    assert "psynapse_runs_in_flight" in text


def test_health_and_metrics_follow_service_beats_as_they_come_and_go(metered):
    """A beat put in KV shows in /health and /metrics; a deleted one (a clean stop) leaves at once,
    not only when it would have gone stale (7.5 s)."""
    stack, _ = metered
    pool = f"probe{uuid.uuid4().hex[:8]}"
    beat = ServiceBeat(
        service="runner", instance=f"runner.{pool}", pid=4242, started_at=time.time(), at=time.time(), pool=pool
    )
    key = beat.instance.replace(".", "_")

    async def change(put: bool) -> None:
        nc = await nats.connect(stack.nats_url)
        kv = await nc.jetstream().key_value(Names().services_bucket)
        await (kv.put(key, encode(beat)) if put else kv.delete(key))
        await nc.close()

    def pools_in_health(client: httpx.Client) -> set[str]:
        return {item.get("pool") for item in client.get("/health").json()["services"]["runner"]}

    with stack.client() as client:
        run_async(change(put=True))
        deadline = time.monotonic() + 5
        while pool not in pools_in_health(client) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool in pools_in_health(client)
        text = _metrics_until(client, lambda t: metric_sample(t, "psynapse_pool_runners", pool=pool) == 1)
        assert metric_sample(text, "psynapse_pool_runners", pool=pool) == 1
        run_async(change(put=False))
        deadline = time.monotonic() + 5
        while pool in pools_in_health(client) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pool not in pools_in_health(client)
        assert "default" in pools_in_health(client)
        text = _metrics_until(client, lambda t: f'pool="{pool}"' not in t)
        assert f'pool="{pool}"' not in text and metric_sample(text, "psynapse_pool_runners", pool="default") == 2
