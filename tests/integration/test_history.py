"""Run history: GET /runs (newest first, filters, limit) and GET /runs/{id} with its nodes."""

from __future__ import annotations

import asyncio
import threading
import time

from tests.support.api_shapes import RUN_NODE_KEYS
from tests.support.graphs import edge, fn, graph, settled, spec_example, sse_events, var, view


def _add(workflow: str | None, a: int = 1) -> dict:
    body = graph([var("a", a), fn("f", "add", b=1), view("v")], [edge("a", "f", "a"), edge("f", "v")])
    if workflow:
        body["workflow"] = workflow
    return body


def _failing(workflow: str) -> dict:
    return {
        **graph([fn("boom", "fail", message="planned failure"), view("v")], [edge("boom", "v")]),
        "workflow": workflow,
    }


def test_runs_listed_newest_first_with_filters_and_limit(stack):
    with stack.client() as client:
        ids = []
        for workflow in ("hist-a", "hist-b", "hist-a", None, "hist-a"):
            answer = client.post("/execute", json=_add(workflow))
            assert answer.status_code == 200, answer.text
            ids.append(answer.headers["x-run-id"])
        failed = client.post("/execute", json=_failing("hist-b"))
        assert failed.json()["errors"]["boom"] == "planned failure"
        ids.append(failed.headers["x-run-id"])
        for run_id in ids:
            settled(client, run_id)

        runs = client.get("/runs").json()["runs"]
        listed = [run["run_id"] for run in runs]
        assert listed[: len(ids)] == ids[::-1]
        starts = [run["started_at"] for run in runs]
        assert starts == sorted(starts, reverse=True)
        newest = runs[0]
        assert set(newest) == {"run_id", "workflow", "status", "started_at", "finished_at", "duration_ms", "node_count"}
        assert newest["workflow"] == "hist-b" and newest["status"] == "failed" and newest["node_count"] == 2
        assert newest["finished_at"] >= newest["started_at"]
        assert newest["duration_ms"] == round((newest["finished_at"] - newest["started_at"]) * 1000, 1)

        only_a = client.get("/runs", params={"workflow": "hist-a"}).json()["runs"]
        assert [run["run_id"] for run in only_a] == [ids[4], ids[2], ids[0]]
        assert {run["workflow"] for run in only_a} == {"hist-a"}
        assert {run["status"] for run in only_a} == {"done"}

        failures = client.get("/runs", params={"status": "failed"}).json()["runs"]
        assert ids[5] in [run["run_id"] for run in failures]
        assert {run["status"] for run in failures} == {"failed"}
        # The word runs were listed with before still filters them.
        assert client.get("/runs", params={"status": "error"}).json()["runs"] == failures
        done_b = client.get("/runs", params={"workflow": "hist-b", "status": "done"}).json()["runs"]
        assert [run["run_id"] for run in done_b] == [ids[1]]

        two = client.get("/runs", params={"limit": 2}).json()["runs"]
        assert [run["run_id"] for run in two] == [ids[5], ids[4]]
        one_a = client.get("/runs", params={"limit": 1, "workflow": "hist-a"}).json()["runs"]
        assert [run["run_id"] for run in one_a] == [ids[4]]

        for params in ({"status": "finished"}, {"limit": 0}, {"limit": 501}, {"workflow": "a.b"}):
            assert client.get("/runs", params=params).status_code == 400, params
        assert client.get("/runs", params={"limit": 500}).status_code == 200


def test_running_runs_are_listed(stack):
    slow = {
        **graph([fn("p", "SlowProgress", steps=20, step_ms=100), view("v")], [edge("p", "v")]),
        "workflow": "hist-slow",
    }
    with stack.client() as client:
        with client.stream("POST", "/execute/stream", json=slow) as response:
            run_id = response.headers["x-run-id"]
            events = sse_events(response)
            for _, data in events:
                if data.get("status") == "progress":
                    break
            running = client.get("/runs", params={"status": "running"}).json()["runs"]
            assert [run["run_id"] for run in running] == [run_id]
            assert running[0]["status"] == "running" and running[0]["workflow"] == "hist-slow"
            assert running[0]["finished_at"] is None and running[0]["duration_ms"] is None
            assert running[0]["node_count"] == 2
            everything = client.get("/runs").json()["runs"]
            assert everything[0]["run_id"] == run_id and everything[0]["status"] == "running"
            assert run_id not in [
                run["run_id"] for run in client.get("/runs", params={"status": "done"}).json()["runs"]
            ]
            detail = client.get(f"/runs/{run_id}").json()
            assert detail["status"] == "running" and detail["nodes"]["p"]["status"] == "executing"
            assert detail["duration_ms"] is None
            for _ in events:
                pass
        settled(client, run_id)
        finished = client.get("/runs", params={"workflow": "hist-slow"}).json()["runs"]
        assert [(run["run_id"], run["status"]) for run in finished] == [(run_id, "done")]
        assert finished[0]["duration_ms"] >= 2000


def test_run_detail_has_every_node(stack):
    with stack.client() as client:
        answer = client.post("/execute", json=spec_example())
        detail = settled(client, answer.headers["x-run-id"])
    assert detail["status"] == "done" and detail["results"] == {"View": 48.0, "ListView": [8.0, 6.0]}
    assert detail["duration_ms"] >= 0 and detail["node_count"] == 10
    nodes = detail["nodes"]
    assert set(nodes) == {"V1", "V2", "V3", "V4", "F1", "F2", "F3", "L1", "View", "ListView"}
    for node_id, node in nodes.items():
        assert set(node) == set(RUN_NODE_KEYS), node_id
        assert node["attempts"] == 1 and node["retries"] == [], (node_id, node)
        assert node["status"] == "completed" and node["error"] is None, (node_id, node)
        assert isinstance(node["duration_ms"], (int, float)) and node["duration_ms"] >= 0, (node_id, node)
    assert nodes["F1"] == {**nodes["F1"], "node_name": "add", "inputs": {"a": 5, "b": 3}, "output": 8.0}
    assert nodes["F3"]["output"] == 48.0 and nodes["F3"]["inputs"] == {"a": 8.0, "b": 6.0}
    assert nodes["L1"]["node_name"] == "List" and nodes["L1"]["output"] == [8.0, 6.0]
    assert nodes["V1"]["node_name"] == "Variable" and nodes["V1"]["output"] == 5
    assert nodes["View"]["inputs"] == {"input": 48.0}


def test_stream_and_progress_nodes_detail(stack):
    body = graph(
        [fn("s", "Flood", count=2000), view("v"), fn("p", "SlowProgress", steps=3, step_ms=10), view("w")],
        [edge("s", "v"), edge("p", "w")],
    )
    with stack.client() as client:
        answer = client.post("/execute", json=body)
        assert answer.json()["results"] == {"v": 2000, "w": 3}
        detail = settled(client, answer.headers["x-run-id"])
    flood, slow = detail["nodes"]["s"], detail["nodes"]["p"]
    assert (flood["status"], flood["output"], flood["inputs"]) == ("completed", 2000, {"count": 2000})
    assert (slow["status"], slow["output"]) == ("completed", 3)
    assert slow["duration_ms"] >= 30


def test_failed_node_detail(stack):
    with stack.client() as client:
        answer = client.post("/execute", json=_failing("hist-fail"))
        detail = settled(client, answer.headers["x-run-id"])
    assert detail["status"] == "failed" and detail["errors"]["boom"] == "planned failure"
    boom = detail["nodes"]["boom"]
    assert boom["status"] == "error" and boom["error"] == "planned failure" and boom["output"] is None
    assert boom["inputs"] == {"message": "planned failure"}
    # It raised: where, in its own code; the view after it never ran.
    assert boom["error_kind"] is None and "in fail" in boom["traceback"] and "planned failure" in boom["traceback"]
    viewer = detail["nodes"]["v"]
    assert viewer["status"] == "error" and viewer["error_kind"] == "upstream" and viewer["traceback"] is None


def test_secret_env_vars_never_shown(stack):
    secret = "hist-s3cr3t-7f3a9b"
    body = {
        **graph(
            [
                fn("r", "read_env", var_name="PSY_HIST_SECRET"),
                view("v"),
                fn("bad", "fail_with_env", var_name="PSY_HIST_SECRET"),
                view("w"),
            ],
            [edge("r", "v"), edge("bad", "w")],
        ),
        "env_vars": {"PSY_HIST_SECRET": secret},
        "workflow": "hist-secret",
    }
    with stack.client() as client:
        answer = client.post("/execute", json=body)
        assert answer.status_code == 200 and answer.json()["results"]["v"]  # the node saw it
        run_id = answer.headers["x-run-id"]
        settled(client, run_id)
        detail = client.get(f"/runs/{run_id}")
        listing = client.get("/runs", params={"workflow": "hist-secret"})
        assert client.put("/workflows/hist-secret", json=graph(body["nodes"], body["edges"])).status_code == 200
        by_name = client.post("/workflows/hist-secret/run", json={"env_vars": {"PSY_HIST_SECRET": secret}})
        settled(client, by_name.headers["x-run-id"])
        named_detail = client.get(f"/runs/{by_name.headers['x-run-id']}")
        everything = client.get("/runs", params={"limit": 500})
    assert detail.json()["nodes"]["bad"]["status"] == "error"
    assert [run["run_id"] for run in listing.json()["runs"]] == [run_id]
    for response in (answer, detail, listing, by_name, named_detail, everything):
        assert secret not in response.text


def test_listing_while_runs_finish(stack):
    """Listings taken while runs end stay consistent: each run once, newest first."""
    stop = threading.Event()

    def load() -> None:
        with stack.client() as client:
            while not stop.is_set():
                client.post("/execute", json=_add("hist-load"))

    worker = threading.Thread(target=load)
    worker.start()
    try:
        with stack.client() as client:
            for _ in range(10):
                runs = client.get("/runs", params={"workflow": "hist-load"}).json()["runs"]
                ids = [run["run_id"] for run in runs]
                assert len(ids) == len(set(ids))
                starts = [run["started_at"] for run in runs]
                assert starts == sorted(starts, reverse=True)
                time.sleep(0.05)
    finally:
        stop.set()
        worker.join()


def test_scan_windows_find_older_runs_once(nats_server, monkeypatch):
    """The listing's time windows, made short: older runs are reached, each read once."""
    import nats

    from psynapse_common import messages
    from psynapse_common.blobs import Blobs
    from psynapse_common.messages import RunEvent
    from psynapse_common.nats_io import declare_backbone
    from psynapse_common.settings import Settings
    from psynapse_gateway import history
    from tests.support.graphs import run_async

    monkeypatch.setattr(history, "_WINDOWS_S", (0.6, None))
    monkeypatch.setattr(history, "_CLOCK_SLACK_S", 0.0)
    scans = []
    real_scan = history.scan

    def counted(*args, **kwargs):
        scans.append(kwargs.get("since"))
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(history, "scan", counted)
    settings = Settings(nats_url=nats_server.url, subject_prefix="histscan", stream_prefix="HSCAN")

    async def scenario() -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        backbone = await declare_backbone(js, settings)
        names = backbone.names
        hist = history.History(js, names, Blobs(backbone.blobs, settings.inline_value_limit))
        assert await hist.list_runs(None, None, 5) == []
        assert scans == []  # no final event at all: nothing scanned

        async def final(run_id: str, started: float, workflow: str = "w") -> None:
            event = RunEvent(
                run_id=run_id,
                status="done",
                started_at=started,
                finished_at=time.time(),
                workflow=workflow,
                node_count=1,
            )
            await js.publish(names.event(run_id, "run"), messages.encode(event))

        now = time.time()
        for index in range(3):
            await final(f"old{index}", now + index * 0.01)
        await asyncio.sleep(1.0)
        for index in range(3):
            await final(f"new{index}", now + 2 + index * 0.01)
        # Started long ago, finished just now: found in the first window, yet older than all.
        await final("slow", now - 100)
        await final("other", now + 3, workflow="x")
        await js.publish(names.event("new0", "node"), b"not a final event")

        newest = await hist.list_runs("w", None, 2)
        assert [row.run_id for row in newest] == ["new2", "new1"]
        assert len(scans) == 1 and scans[0] is not None  # the first window was enough
        five = await hist.list_runs("w", None, 5)
        assert [row.run_id for row in five] == ["new2", "new1", "new0", "old2", "old1"]
        assert len(scans) == 3 and scans[2] is None
        every = await hist.list_runs(None, "done", 50)
        assert [row.run_id for row in every] == ["other", "new2", "new1", "new0", "old2", "old1", "old0", "slow"]
        assert await hist.list_runs(None, "error", 50) == []
        leftover = [info.name for info in await js.consumers_info(names.events_stream)]
        assert leftover == []
        await nc.close()

    run_async(scenario())
