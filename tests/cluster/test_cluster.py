"""A 3-node JetStream cluster, R3 streams, services on different nodes; a node dies mid-run.

schema and orchestrator talk to n1, the runners to n2, the gateway to n3; each is
given only its node and learns the others from the cluster. A node is SIGKILLed
while a run is in flight: the run must still finish with the right results, and the
stored log (read from PSY_EVENTS itself) must hold every node's executing and
terminal event exactly once, every progress step once and in order, and the live
stream must equal the log, whichever node dies.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import nats
import pytest

from psynapse.embedded.natsd import free_port
from psynapse_common.sealing import new_key
from tests.support.cluster import Cluster, Services, base_env, place_leaders
from tests.support.graphs import (
    by_node,
    edge,
    fn,
    graph,
    metric_sample,
    run_async,
    sse_events,
    stored_node_events,
    var,
    view,
)
from tests.support.stack import copy_packs

pytestmark = pytest.mark.cluster

PROGRESS_NODES = ("p1", "p2", "p3", "p4")
STEPS = 12


@dataclass
class Deployment:
    cluster: Cluster
    services: Services
    url: str

    def client(self, timeout: float = 60) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


@pytest.fixture
def deployment(tmp_path) -> Iterator[Deployment]:
    cluster = Cluster(tmp_path / "cluster")
    cluster.start()
    packs = copy_packs(tmp_path / "nodepacks", "testpack")
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret.key").write_text(new_key())
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    services = Services(base_env(packs, data, port), logs)
    n1, n2, n3 = (cluster.node(name).url for name in ("n1", "n2", "n3"))
    try:
        services.start("schema", ["schema"], n1)
        services.start("orchestrator", ["orchestrator"], n1)
        services.start("runner-1", ["runner"], n2)
        services.start("runner-2", ["runner"], n2)
        services.start("gateway", ["gateway"], n3)
        running = Deployment(cluster, services, f"http://127.0.0.1:{port}")
        _wait_healthy(running, runners=2)
        yield running
    finally:
        services.stop()
        cluster.stop()


def _wait_healthy(deployment: Deployment, runners: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        try:
            response = httpx.get(deployment.url + "/health", timeout=3)
            body = response.json()
            if response.status_code == 200 and len(body["services"]["runner"]) == runners:
                return body
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    logs = "\n".join(
        f"--- {label}\n{deployment.services.logs(label, tail=1500)}"
        for label in ("gateway", "runner-1", "runner-2", "orchestrator")
    )
    raise AssertionError(f"not healthy in {timeout} s: {body}\n{logs}")


def _long_graph() -> dict:
    """Four progress nodes in parallel (~2.4 s each) and a chain of three 0.8 s sleeps."""
    nodes = [fn(p, "SlowProgress", steps=STEPS, step_ms=200) for p in PROGRESS_NODES]
    nodes += [view(f"v{p}") for p in PROGRESS_NODES]
    nodes += [
        var("x", "7"),
        fn("c1", "slow_identity", ms=800),
        fn("c2", "slow_identity", ms=800),
        fn("c3", "slow_identity", ms=800),
        view("vc"),
    ]
    edges = [edge(p, f"v{p}") for p in PROGRESS_NODES]
    edges += [edge("x", "c1", "x"), edge("c1", "c2", "x"), edge("c2", "c3", "x"), edge("c3", "vc")]
    return graph(nodes, edges)


EXPECTED = {"results": {**{f"v{p}": STEPS for p in PROGRESS_NODES}, "vc": 7}}


def _stream_in_background(deployment: Deployment, body: dict) -> tuple[list, threading.Event, threading.Thread]:
    events: list = []
    progressed = threading.Event()

    def read() -> None:
        with deployment.client(timeout=180) as client, client.stream("POST", "/execute/stream", json=body) as response:
            events.append((None, {"run_id": response.headers["x-run-id"]}))
            for item in sse_events(response):
                events.append(item)
                if item[1].get("status") == "progress":
                    progressed.set()

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return events, progressed, thread


def _stored_log(deployment: Deployment, run_id: str) -> list:
    with deployment.client() as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            record = client.get(f"/runs/{run_id}")
            if record.status_code == 503:  # an election in progress: the gateway says when to retry
                assert record.headers["retry-after"]
                time.sleep(0.5)
                continue
            assert record.status_code == 200, record.text
            if record.json()["status"] != "running":
                break
            time.sleep(0.2)
        while True:
            with client.stream("GET", f"/runs/{run_id}/events") as response:
                if response.status_code == 503 and time.monotonic() < deadline:
                    time.sleep(0.5)
                    continue
                assert response.status_code == 200, response.read()
                return list(sse_events(response))


def _event_problems(log: list) -> list[str]:
    """Every node: one executing, one terminal event, no error; every progress step once, in order."""
    problems = []
    nodes = by_node(log)
    for node_id, events in nodes.items():
        statuses = Counter(e["status"] for e in events)
        terminal = statuses["completed"] + statuses["error"]
        if (statuses["executing"], terminal, statuses["error"]) != (1, 1, 0):
            problems.append(f"{node_id}: {dict(statuses)}")
    for p in PROGRESS_NODES:
        progress = [round(e["progress"] * STEPS) for e in nodes.get(p, []) if e["status"] == "progress"]
        if progress != list(range(1, STEPS + 1)):
            problems.append(f"{p} progress steps {progress}")
    expected_nodes = {*PROGRESS_NODES, *(f"v{p}" for p in PROGRESS_NODES), "x", "c1", "c2", "c3", "vc"}
    if set(nodes) != expected_nodes:
        problems.append(f"nodes without events: {sorted(expected_nodes - set(nodes))}")
    return problems


def _stored_node_statuses(deployment: Deployment, run_id: str) -> dict[str, Counter]:
    """Each node's event statuses as PSY_EVENTS holds them: no reader's de-duplication in between."""
    url = next(node.url for node in deployment.cluster.nodes if node.alive)
    statuses: dict[str, Counter] = {}
    for node_id, status in stored_node_events(url, run_id):
        statuses.setdefault(node_id, Counter())[status] += 1
    return statuses


def _assert_nothing_lost_or_doubled(deployment: Deployment, events: list, log: list) -> None:
    problems = _event_problems(log)
    if events[1:] != log:
        problems.append("the live stream and the stored log differ")
    for node_id, statuses in _stored_node_statuses(deployment, events[0][1]["run_id"]).items():
        # A quick node's start is its end (readers show both); a slow one's is stored once.
        if statuses["executing"] > 1 or statuses["completed"] + statuses["error"] != 1:
            problems.append(f"stored log, {node_id}: {dict(statuses)}")
    with deployment.client() as client:
        dropped = metric_sample(client.get("/metrics").text, "psynapse_gateway_sse_events_dropped_total")
    if dropped:
        problems.append(f"the gateway left out {dropped:.0f} events after their node's end")
    assert not problems, "\n".join(["event log problems:", *problems])


async def _replication(url: str) -> tuple[dict[str, tuple[int, int]], dict[str, str | None]]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        streams: dict[str, tuple[int, int]] = {}
        leaders: dict[str, str | None] = {}
        for info in await js.streams_info():
            name, replicas, cluster = info.config.name, info.config.num_replicas, info.cluster
            # What the server tells of every stream of a cluster.
            assert name is not None and replicas is not None and cluster is not None, info
            streams[name] = (replicas, len(cluster.replicas or []))
            leaders[name] = cluster.leader
        for stream, durable in (("PSY_JOBS", "runners-default"), ("PSY_RUNS", "orchestrators")):
            consumer = await js.consumer_info(stream, durable)
            streams[f"{stream}/{durable}"] = (
                consumer.config.num_replicas or streams[stream][0],
                len(consumer.cluster.replicas or []),
            )
        return streams, leaders
    finally:
        await nc.close()


def test_streams_buckets_and_work_consumers_are_r3(deployment):
    replication, _ = run_async(_replication(deployment.cluster.node("n1").url))
    expected = {
        "PSY_RUNS",
        "PSY_JOBS",
        "PSY_EVENTS",
        "KV_PSY_SCHEMA",
        "KV_PSY_SERVICES",
        "OBJ_PSY_BLOBS",
        "PSY_JOBS/runners-default",
        "PSY_RUNS/orchestrators",
    }
    assert expected <= set(replication), sorted(replication)
    # Every stream of ours, and the durable consumers: three copies (a leader and two followers).
    assert {name: r for name, r in replication.items() if r != (3, 2)} == {}
    with deployment.client() as client:
        assert client.post(
            "/execute", json=graph([fn("a", "slow_identity", x=1, ms=1), view("v")], [edge("a", "v")])
        ).json() == {"results": {"v": 1}}


def _lead_from(deployment: Deployment, on: set[str]) -> dict[str, str]:
    """Move the leaders of every stream of ours and of the work consumers onto ``on``."""
    replication, _ = run_async(_replication(deployment.cluster.node("n1").url))
    streams = [name for name in replication if "/" not in name]
    consumers = [("PSY_JOBS", "runners-default"), ("PSY_RUNS", "orchestrators")]
    url = next(node.url for node in deployment.cluster.nodes if node.name in on)
    return run_async(place_leaders(url, streams, consumers, on))


def _kill_mid_run(deployment: Deployment, victim: str) -> tuple[list, list]:
    events, progressed, thread = _stream_in_background(deployment, _long_graph())
    assert progressed.wait(30), "no progress before the kill"
    deployment.cluster.node(victim).kill()
    killed_at = time.monotonic()
    print(f"SIGKILLed nats node {victim} after the first progress event")
    thread.join(120)
    assert not thread.is_alive(), "the run did not finish within 120 s of the kill"
    print(f"the run finished {time.monotonic() - killed_at:.1f} s after the kill")
    log = _stored_log(deployment, events[0][1]["run_id"])
    return events, log


def test_runners_node_dies_mid_run(deployment):
    """n2 holds the runners' connections and leads nothing: a pure client failover."""
    print(f"\nleaders: {_lead_from(deployment, {'n1', 'n3'})}")
    events, log = _kill_mid_run(deployment, "n2")
    assert events[-1][1] == {"status": "done", **EXPECTED}
    # The node comes back and rejoins; the system keeps working.
    deployment.cluster.restart("n2")
    with deployment.client() as client:
        body = graph([fn("a", "slow_identity", x=3, ms=1), view("v")], [edge("a", "v")])
        assert client.post("/execute", json=body).json() == {"results": {"v": 3}}
    _assert_nothing_lost_or_doubled(deployment, events, log)


def test_stream_leader_dies_mid_run(deployment):
    """n1 leads every stream and work consumer (and serves schema and orchestrator): elections."""
    print(f"\nleaders: {_lead_from(deployment, {'n1'})}")
    events, log = _kill_mid_run(deployment, "n1")
    assert events[-1][1] == {"status": "done", **EXPECTED}
    assert log and log[-1][1] == {"status": "done", **EXPECTED}, "the stored log lacks the run's end"
    _assert_nothing_lost_or_doubled(deployment, events, log)


def test_services_declaring_the_backbone_together_on_a_fresh_cluster_all_start(tmp_path):
    """24 services starting at once, 8 on each node, each create the same R3 streams.

    One's add_stream can be answered "already in use" before the stream can be found,
    so its update_stream answers "not found": that is waited out, never a crash (it
    was a crash in 2 of 5 runs of this test before).
    """
    from psynapse_common.nats_io import declare_backbone
    from psynapse_common.settings import Settings

    cluster = Cluster(tmp_path / "cluster")
    cluster.start()
    settings = Settings(stream_replicas=3)

    async def declare_together() -> int:
        import asyncio

        clients = [await nats.connect(cluster.node(name).url) for name in ("n1", "n2", "n3") for _ in range(8)]
        try:
            backbones = await asyncio.gather(*(declare_backbone(nc.jetstream(), settings) for nc in clients))
            streams = {info.config.name for info in await clients[0].jetstream().streams_info()}
            assert {"PSY_RUNS", "PSY_JOBS", "PSY_EVENTS"} <= streams
            return len(backbones)
        finally:
            for nc in clients:
                await nc.close()

    try:
        assert run_async(declare_together()) == 24
    finally:
        cluster.stop()
