"""The JSON every endpoint answers, key for key and in order (docs/api.md): typed answers
(psynapse_gateway.bodies) must send what clients have always received, null where a value
is missing and no key at all where the docs say a key is absent."""

from __future__ import annotations

import json

from tests.support.api_shapes import RUN_NODE_KEYS, SCHEMA_KEYS
from tests.support.graphs import edge, fn, graph, spec_example, sse_events, view

RUN_ROW = ["run_id", "workflow", "status", "started_at", "finished_at", "duration_ms", "node_count"]
RUN_DETAIL = [
    "run_id",
    "status",
    "workflow",
    "started_at",
    "finished_at",
    "duration_ms",
    "node_count",
    "results",
    "errors",
    "error",
    "nodes",
]
NODE = RUN_NODE_KEYS
ERROR = ["status_code", "detail"]


def _keys(value: dict) -> list[str]:
    return list(value)


def test_execute_answers_are_the_specs_bytes(stack):
    failing = graph([fn("d", "divide", a=1, b=0), view("v")], [edge("d", "v")])
    with stack.client() as client:
        done = client.post("/execute", json=spec_example())
        failed = client.post("/execute", json=failing)
    assert done.content == b'{"results":{"View":48.0,"ListView":[8.0,6.0]}}'
    assert (
        failed.content
        == json.dumps(
            {
                "results": {"v": None},
                "errors": {"d": "division by zero", "v": "Input 'input' failed: node 'd' (divide) did not complete"},
            },
            separators=(",", ":"),
        ).encode()
    )
    assert done.headers["content-type"] == failed.headers["content-type"] == "application/json"


def test_run_answers_keep_their_keys(stack):
    slow = graph([fn("p", "SlowProgress", steps=30, step_ms=100), view("v")], [edge("p", "v")], cache=False)
    with stack.client() as client:
        with client.stream("POST", "/execute/stream", json=slow) as response:
            run_id = response.headers["x-run-id"]
            events = sse_events(response)
            next(data for _, data in events if data.get("status") == "progress")
            running = client.get(f"/runs/{run_id}").json()
            listed = client.get("/runs", params={"status": "running"}).json()
            ran = client.get(f"/runs/{run_id}/graph").json()
            cancel = client.post(f"/runs/{run_id}/cancel")
            assert [data["status"] for _, data in events][-1] == "error"
        ended = client.get(f"/runs/{run_id}").json()
        missing = client.get("/runs/00000000000000000000000000000000")
    assert _keys(running) == RUN_DETAIL and running["status"] == "running"
    assert running["finished_at"] is None and running["duration_ms"] is None and running["error"] is None
    assert running["results"] == {} and running["errors"] == {}
    assert _keys(running["nodes"]["p"]) == NODE and running["nodes"]["p"]["status"] == "executing"
    assert _keys(listed) == ["runs"] and [_keys(row) for row in listed["runs"]] == [RUN_ROW]
    assert listed["runs"][0]["finished_at"] is None and listed["runs"][0]["duration_ms"] is None
    assert ran == {
        "run_id": run_id,
        "workflow": None,
        "nodes": [
            {
                "id": "p",
                "type": "functionNode",
                "data": {"functionName": "SlowProgress", "steps": 30, "step_ms": 100},
                "position": None,
            },
            {"id": "v", "type": "viewNode", "data": {}, "position": None},
        ],
        "edges": [{"source": "p", "target": "v", "sourceHandle": "output", "targetHandle": "input"}],
    }
    assert _keys(ran) == ["run_id", "workflow", "nodes", "edges"]
    assert [_keys(item) for item in ran["nodes"]] == [["id", "type", "data", "position"]] * 2
    assert cancel.status_code == 202 and cancel.json() == {"run_id": run_id, "status": "cancelling"}
    assert _keys(ended) == RUN_DETAIL and ended["status"] == "cancelled" and ended["error"] == "cancelled"
    node = ended["nodes"]["p"]
    assert _keys(node) == NODE
    assert (node["status"], node["error"], node["error_kind"], node["output"]) == (
        "error",
        "cancelled",
        "cancelled",
        None,
    )
    assert missing.status_code == 404 and _keys(missing.json()) == ERROR


def test_workflow_answers_keep_their_keys(stack):
    body = {"nodes": [{"id": "v", "type": "viewNode", "data": {}}], "edges": []}
    with stack.client() as client:
        saved = client.put("/workflows/shapes", json=body).json()
        described = client.put("/workflows/shapes", json={**body, "description": "d"}).json()
        listed = client.get("/workflows").json()
        newest = client.get("/workflows/shapes").json()
        first = client.get("/workflows/shapes/versions/1").json()
        versions = client.get("/workflows/shapes/versions").json()
        restored = client.post("/workflows/shapes/versions/1/restore").json()
        ran = client.post("/workflows/shapes/run", json={"inputs": {}})
        gone = client.delete("/workflows/shapes")
    assert _keys(saved) == _keys(described) == _keys(restored) == ["name", "version", "updated"]
    assert (saved["version"], described["version"], restored["version"]) == (1, 2, 3)
    assert _keys(listed) == ["workflows"]
    row = next(item for item in listed["workflows"] if item["name"] == "shapes")
    assert _keys(row) == ["name", "updated", "versions"] and row["versions"] == 2
    # Stored as sent, less what is empty: no "edges": [] and no description unless one was sent.
    assert newest == {**described, "workflow": {"nodes": body["nodes"], "description": "d"}}
    assert first == {**saved, "workflow": {"nodes": body["nodes"]}}
    assert _keys(versions) == ["name", "versions"]
    assert [_keys(item) for item in versions["versions"]] == [["version", "updated"]] * 2
    assert ran.json() == {"results": {"v": None}} and "x-run-id" in ran.headers
    assert gone.status_code == 204 and gone.content == b""


def test_health_and_catalog_answers_keep_their_keys(stack):
    with stack.client() as client:
        health = client.get("/health").json()
        packs = client.get("/nodepacks").json()
        schema = client.get("/get_schema").json()
        root = client.get("/")
        reloaded = client.post("/nodepacks/reload").json()
    assert _keys(health) == ["status", "nats", "catalog_revision", "services", "pools"]  # no pools_error
    runners = health["services"]["runner"]
    assert runners and all(_keys(item) == ["instance", "pid", "pool", "stuck_threads"] for item in runners)
    assert [_keys(item) for item in health["services"]["gateway"]] == [["instance", "pid"]]
    assert all(_keys(queue) == ["consumers", "pending", "in_flight"] for queue in health["pools"].values())
    assert _keys(packs) == ["packs", "clashes"]
    assert all(
        _keys(pack)
        == [
            "name",
            "path",
            "status",
            "errors",
            "nodes",
            "missing",
            "source",
            "distribution",
            "version",
            "pools",
            "environments",
            "missing_pools",
        ]
        for pack in packs["packs"]
    )
    assert _keys(reloaded) == ["revision", "packs", "clashes"]
    assert reloaded["revision"] > health["catalog_revision"] and reloaded["packs"] == packs["packs"]
    add = next(item for item in schema if item["name"] == "add")
    assert _keys(add) == SCHEMA_KEYS
    assert root.content == b'{"message":"Psynapse Backend API"}'


def test_errors_keep_their_keys(stack):
    with stack.client() as client:
        bad_json = client.post("/execute", content=b"{nope", headers={"content-type": "application/json"})
        bad_limit = client.get("/runs", params={"limit": 0})
        bad_name = client.get("/workflows/a.b")
    assert bad_json.status_code == 400 and _keys(bad_json.json()) == ERROR
    # Litestar's validation errors say which field, under "extra".
    assert bad_limit.status_code == 400 and _keys(bad_limit.json()) == [*ERROR, "extra"]
    assert bad_limit.json()["extra"] == [{"message": "Expected `int` >= 1", "key": "limit", "source": "query"}]
    assert bad_name.status_code == 400 and _keys(bad_name.json()) == ERROR
