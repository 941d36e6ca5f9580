"""A past run's own graph (GET /runs/{id}/graph): what History's Re-run and Open in editor use."""

from __future__ import annotations

import time

from tests.support.graphs import edge, fn, graph, sse_events, var, view


def _placed(body: dict) -> dict:
    """The body with a position on every node, as the editor sends it."""
    for index, node in enumerate(body["nodes"]):
        node["position"] = {"x": 260 * index, "y": 40.5 * index}
    return body


def _graph_of(client, run_id: str) -> dict:
    answer = client.get(f"/runs/{run_id}/graph")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _finished(client, run_id: str) -> None:
    deadline = time.monotonic() + 10
    while client.get(f"/runs/{run_id}").json()["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_run_keeps_the_graph_it_ran_without_env_vars(stack):
    body = _placed(
        graph(
            [var("a", "5"), var("b", "3"), fn("f", "add"), view("w")],
            [edge("a", "f", "a"), edge("b", "f", "b"), edge("f", "w")],
            workflow="kept-graph",
            env_vars={"PSY_GRAPH_SECRET": "graph-s3cret-41"},
        )
    )
    with stack.client() as client:
        answer = client.post("/execute", json=body)
        assert answer.json() == {"results": {"w": 8.0}}
        run_id = answer.headers["x-run-id"]
        _finished(client, run_id)
        kept = _graph_of(client, run_id)
        # Another graph ran since: the run's own graph is still what comes back.
        client.post("/execute", json=graph([var("a", "100"), view("w")], [edge("a", "w")]))
        assert _graph_of(client, run_id) == kept
        text = client.get(f"/runs/{run_id}/graph").text
    assert kept["run_id"] == run_id and kept["workflow"] == "kept-graph"
    assert kept["nodes"] == [{**node, "data": node["data"]} for node in body["nodes"]]
    assert kept["edges"] == body["edges"]
    assert "graph-s3cret-41" not in text and "env_vars" not in text
    # The graph runs again as it is: the same answer.
    with stack.client() as client:
        again = client.post("/execute", json={"nodes": kept["nodes"], "edges": kept["edges"]})
    assert again.json() == {"results": {"w": 8.0}}


def test_a_running_run_has_its_graph_too(stack):
    slow = _placed(graph([fn("p", "SlowProgress", steps=10, step_ms=60), view("v")], [edge("p", "v")]))
    with stack.client() as client:
        with client.stream("POST", "/execute/stream", json=slow) as response:
            run_id = response.headers["x-run-id"]
            for _, data in sse_events(response):
                if data.get("status") == "progress":
                    running = _graph_of(client, run_id)
                    break
        assert [node["id"] for node in running["nodes"]] == ["p", "v"]
        assert running["nodes"][0]["position"] == {"x": 0, "y": 0.0}
        _finished(client, run_id)
        assert _graph_of(client, run_id) == running


def test_a_graph_larger_than_a_message_value_is_kept_through_the_object_store(stack):
    # About 600 KiB of node data: more than the inline limit, so the final event
    # carries a reference and the graph itself lives in the object store.
    text = "x" * 2000
    nodes = [var(f"t{i}", text, kind="String") for i in range(300)] + [view("w")]
    body = _placed(graph(nodes, [edge("t0", "w")]))
    with stack.client(timeout=60) as client:
        answer = client.post("/execute", json=body)
        assert answer.status_code == 200 and answer.json()["results"]["w"] == text
        run_id = answer.headers["x-run-id"]
        _finished(client, run_id)
        kept = _graph_of(client, run_id)
        assert client.get(f"/runs/{run_id}").json()["status"] == "done"
    assert len(kept["nodes"]) == 301 and kept["nodes"][299]["data"]["variableValue"] == text


def test_unknown_runs_and_bad_ids(stack):
    with stack.client() as client:
        assert client.get("/runs/00000000000000000000000000000000/graph").status_code == 404
        assert client.get("/runs/bad.id/graph").status_code == 400
