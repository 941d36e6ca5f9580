"""Saved workflows with versions, and workflows run by name, over the real stack."""

from __future__ import annotations

import copy
import datetime as dt

from tests.support.graphs import edge, fn, graph, settled, spec_example, sse_events, var, view


def _editor_body(description: str | None = None, first: str = "5") -> dict:
    """The spec's example as the editor saves it: positions, edge ids, named inputs."""
    body = spec_example()
    for index, node in enumerate(body["nodes"]):
        node["position"] = {"x": 260 * (index % 4), "y": 180 * (index // 4)}
    for index, item in enumerate(body["edges"]):
        item["id"] = f"e{index}"
    nodes = {node["id"]: node for node in body["nodes"]}
    nodes["V1"]["data"].update(variableName="x", variableValue=first)
    nodes["V2"]["data"]["variableName"] = "y"
    # A function input the editor left empty: not sent, so it never overrides a wire.
    nodes["F3"]["data"]["a"] = ""
    if description is not None:
        body["description"] = description
    return body


def _iso(text: str) -> dt.datetime:
    assert text.endswith("Z"), text
    return dt.datetime.fromisoformat(text[:-1] + "+00:00")


def test_save_versions_restore_delete(stack):
    first, second = _editor_body("first"), _editor_body(first="7")
    with stack.client() as client:
        saved = client.put("/workflows/sums", json=first)
        assert saved.status_code == 200, saved.text
        assert saved.json()["name"] == "sums" and saved.json()["version"] == 1
        _iso(saved.json()["updated"])
        again = client.put("/workflows/sums", json=second).json()
        assert again["version"] == 2
        assert _iso(again["updated"]) >= _iso(saved.json()["updated"])
        assert client.put("/workflows/a-first", json=graph([], [])).json()["version"] == 1

        listed = client.get("/workflows").json()["workflows"]
        assert [w["name"] for w in listed] == sorted(w["name"] for w in listed)
        mine = {w["name"]: w for w in listed}
        assert mine["sums"]["versions"] == 2 and mine["sums"]["updated"] == again["updated"]
        assert mine["a-first"]["versions"] == 1

        latest = client.get("/workflows/sums").json()
        assert latest == {"name": "sums", "version": 2, "updated": again["updated"], "workflow": second}
        assert latest["workflow"]["nodes"][0]["position"] == {"x": 0, "y": 0}

        versions = client.get("/workflows/sums/versions").json()
        assert versions == {
            "name": "sums",
            "versions": [
                {"version": 2, "updated": again["updated"]},
                {"version": 1, "updated": saved.json()["updated"]},
            ],
        }
        one = client.get("/workflows/sums/versions/1").json()
        assert one["version"] == 1 and one["workflow"] == first and one["workflow"]["description"] == "first"
        missing = client.get("/workflows/sums/versions/3")
        assert missing.status_code == 404 and "version 3" in missing.json()["detail"]
        assert client.get("/workflows/sums/versions/0").status_code == 404

        restored = client.post("/workflows/sums/versions/1/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()["version"] == 3
        assert client.get("/workflows/sums").json()["workflow"] == first
        assert [v["version"] for v in client.get("/workflows/sums/versions").json()["versions"]] == [3, 2, 1]

        assert client.delete("/workflows/sums").status_code == 204
        gone = client.get("/workflows/sums")
        assert gone.status_code == 404 and "sums" in gone.json()["detail"]
        assert client.get("/workflows/sums/versions").status_code == 404
        assert client.get("/workflows/sums/versions/1").status_code == 404
        assert client.delete("/workflows/sums").status_code == 404
        assert "sums" not in {w["name"] for w in client.get("/workflows").json()["workflows"]}
        # Saved again after a delete: versions start at 1.
        assert client.put("/workflows/sums", json=second).json()["version"] == 1
        assert [v["version"] for v in client.get("/workflows/sums/versions").json()["versions"]] == [1]


def test_names_and_bodies_are_checked(stack):
    with stack.client() as client:
        for path in ("..%2Fx", "a.b", "a*", "a%20b", "a%3Eb", "x" * 65, "a%2Fb"):
            for method in ("PUT", "GET", "DELETE"):
                answer = client.request(method, f"/workflows/{path}", json=graph([], []))
                assert answer.status_code == 400, (method, path, answer.text)
                assert "1-64 letters, digits, '-' or '_'" in answer.json()["detail"], answer.text
            answer = client.post(f"/workflows/{path}/run", json={"inputs": {}})
            assert answer.status_code == 400, (path, answer.text)
        assert client.put("/workflows/" + "x" * 64, json=graph([], [])).status_code == 200
        not_lists = client.put("/workflows/ok", json={"nodes": {}, "edges": []})
        assert not_lists.status_code == 400
        no_id = client.put("/workflows/ok", json={"nodes": [{"type": "viewNode"}], "edges": []})
        assert no_id.status_code == 400 and "no id" in no_id.json()["detail"]
        bad_edge = client.put("/workflows/ok", json={"nodes": [], "edges": [{"source": "a"}]})
        assert bad_edge.status_code == 400 and "source and a target" in bad_edge.json()["detail"]
        too_big = client.put("/workflows/ok", json={**graph([], []), "description": "x" * 1_100_000})
        assert too_big.status_code == 413 and "max_payload" in too_big.json()["detail"]
        bad_execute = client.post("/execute", json={**spec_example(), "workflow": "a.b"})
        assert bad_execute.status_code == 400 and "workflow name" in bad_execute.json()["detail"]


def test_run_by_name_sets_inputs(stack):
    with stack.client() as client:
        assert client.put("/workflows/calc", json=_editor_body()).status_code == 200
        saved = client.post("/workflows/calc/run")
        assert saved.status_code == 200, saved.text
        assert saved.json() == {"results": {"View": 48.0, "ListView": [8.0, 6.0]}}

        answer = client.post("/workflows/calc/run", json={"inputs": {"x": 10}})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"results": {"View": 78.0, "ListView": [13.0, 6.0]}}
        run_id = answer.headers["x-run-id"]
        record = settled(client, run_id)
        assert record["workflow"] == "calc" and record["status"] == "done"

        text_number = client.post("/workflows/calc/run", json={"inputs": {"x": "1", "y": 1.5}})
        assert text_number.json() == {"results": {"View": 15.0, "ListView": [2.5, 6.0]}}


def test_run_by_name_streams_with_accept(stack):
    with stack.client() as client:
        assert client.put("/workflows/calc-stream", json=_editor_body()).status_code == 200
        with client.stream(
            "POST", "/workflows/calc-stream/run", json={"inputs": {"x": 2}}, headers={"Accept": "text/event-stream"}
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            run_id = response.headers["x-run-id"]
            events = list(sse_events(response))
    assert events[-1][1] == {"status": "done", "results": {"View": 30.0, "ListView": [5.0, 6.0]}}
    executing = [data for _, data in events if data.get("status") == "executing"]
    assert [data["node_number"] for data in executing] == list(range(1, 11))
    with stack.client() as client:
        assert client.get(f"/runs/{run_id}").json()["workflow"] == "calc-stream"


def test_run_by_name_errors(stack):
    with stack.client() as client:
        assert client.put("/workflows/calc-errors", json=_editor_body()).status_code == 200
        unknown = client.post("/workflows/calc-errors/run", json={"inputs": {"x": 1, "zz": 2, "aa": 3}})
        assert unknown.status_code == 400
        detail = unknown.json()["detail"]
        assert "'aa', 'zz'" in detail and "x, y" in detail
        wrong = client.post("/workflows/calc-errors/run", json={"inputs": {"x": "five"}})
        assert wrong.status_code == 400 and "'x'" in wrong.json()["detail"]
        assert "not a number" in wrong.json()["detail"]
        missing = client.post("/workflows/never-saved/run", json={"inputs": {}})
        assert missing.status_code == 404 and "never-saved" in missing.json()["detail"]
        missing_stream = client.post(
            "/workflows/never-saved/run", json={"inputs": {}}, headers={"Accept": "text/event-stream"}
        )
        assert missing_stream.status_code == 404


def test_saved_graph_errors_answer_like_execute(stack):
    body = graph([fn("f", "no_such_function"), view("v")], [edge("f", "v")])
    with stack.client() as client:
        assert client.put("/workflows/broken", json=body).status_code == 200
        folded = client.post("/workflows/broken/run", json={})
        assert folded.status_code == 400 and "no_such_function" in folded.json()["detail"]
        with client.stream(
            "POST", "/workflows/broken/run", json={}, headers={"Accept": "text/event-stream"}
        ) as response:
            events = list(sse_events(response))
    assert len(events) == 1 and events[0][1]["status"] == "error"
    assert "no_such_function" in events[0][1]["error"]


def test_execute_records_the_open_workflow(stack):
    body = {
        **graph([var("a", 2), fn("f", "add", b=1), view("v")], [edge("a", "f", "a"), edge("f", "v")]),
        "workflow": "open-in-editor",
    }
    with stack.client() as client:
        folded = client.post("/execute", json=body)
        assert folded.json() == {"results": {"v": 3.0}}
        with client.stream("POST", "/execute/stream", json=copy.deepcopy(body)) as response:
            stream_id = response.headers["x-run-id"]
            list(sse_events(response))
        for run_id in (folded.headers["x-run-id"], stream_id):
            assert client.get(f"/runs/{run_id}").json()["workflow"] == "open-in-editor"
