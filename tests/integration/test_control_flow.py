"""Subgraphs, maps and loops over real HTTP: saved workflows run as nodes, items fan
out to runners, loops iterate, failures and cancels say where they happened."""

from __future__ import annotations

import time

import pytest

from tests.support.control_flow import WORKFLOWS, items, loop_node, map_node, named_var, named_view, subgraph
from tests.support.graphs import by_node, edge, fn, graph, settled, sse_events, stream, var, view


@pytest.fixture(scope="module")
def saved(stack):
    with stack.client() as client:
        for name, body in WORKFLOWS.items():
            assert client.put(f"/workflows/{name}", json=body).status_code in (200, 201)
    return stack


def test_a_subgraph_runs_inline_with_nested_event_ids(saved):
    body = graph(
        [var("a", "41"), subgraph("s", "cf_add_one"), view("v")],
        [edge("a", "s", "x"), edge("s", "v", "input", "result")],
    )
    with saved.client() as client:
        headers, events = stream(client, body)
    per_node = by_node(events)
    assert [e["status"] for e in per_node["s/f"]] == ["executing", "completed"]
    assert per_node["s/f"][0]["node_name"] == "add"
    assert events[-1][1] == {"status": "done", "results": {"v": 42.0}}


def test_a_map_runs_every_item_and_keeps_their_order(saved):
    body = graph(
        [items("xs", [3, 1, 2, 0.5]), map_node("m", "cf_add_one", concurrency=2), view("v")],
        [edge("xs", "m", "items"), edge("m", "v")],
    )
    with saved.client() as client:
        headers, events = stream(client, body)
    per_node = by_node(events)
    assert events[-1][1] == {"status": "done", "results": {"v": [4.0, 2.0, 3.0, 1.5]}}
    progress = [e["progress_message"] for e in per_node["m"] if e["status"] == "progress"]
    assert progress == ["1/4 items", "2/4 items", "3/4 items", "4/4 items"]
    assert [e["status"] for e in per_node["m"]][0] == "executing" and per_node["m"][-1]["status"] == "completed"
    assert {f"m/{i}/f" for i in range(4)} <= set(per_node)


def test_a_map_over_an_empty_list_is_an_empty_list(saved):
    body = graph([items("xs", []), map_node("m", "cf_add_one"), view("v")], [edge("xs", "m", "items"), edge("m", "v")])
    with saved.client() as client:
        assert client.post("/execute", json=body).json() == {"results": {"v": []}}


def test_a_failed_item_fails_the_map_naming_the_item_and_its_cause(saved):
    body = graph(
        [items("xs", [1, 0, 2]), map_node("m", "cf_inverse", concurrency=1), view("v")],
        [edge("xs", "m", "items"), edge("m", "v")],
    )
    with saved.client() as client:
        headers, events = stream(client, body)
        record = settled(client, headers["x-run-id"])
    ends = {e["node_id"]: e for _, e in events if e.get("status") == "error"}
    assert ends["m"]["error"].startswith("item 1 failed: node 'm/1/d' (divide):")
    assert "m/2/d" not in by_node(events)  # no item started after the failure
    assert record["status"] == "failed"


def test_continue_on_error_puts_null_for_a_failed_item(saved):
    body = graph(
        [items("xs", [1, 0, 2]), map_node("m", "cf_inverse", continueOnError=True), view("v")],
        [edge("xs", "m", "items"), edge("m", "v")],
    )
    with saved.client() as client:
        headers, events = stream(client, body)
        record = settled(client, headers["x-run-id"])
    assert events[-1][1] == {"status": "done", "results": {"v": [10.0, None, 5.0]}}
    last_progress = [e for _, e in events if e.get("node_id") == "m" and e["status"] == "progress"][-1]
    assert last_progress["progress_message"] == "3/3 items, 1 failed"
    assert record["status"] == "done"


def test_a_loop_feeds_its_outputs_back_until_its_condition_is_false(saved):
    body = graph(
        [var("start", "3"), loop_node("l", "cf_double"), view("v")],
        [edge("start", "l", "n"), edge("l", "v", "input", "n")],
    )
    with saved.client() as client:
        headers, events = stream(client, body)
    # 3 -> 6 -> 12 -> 24 -> 48 -> 96 -> 192 (192 < 100 is false: stop)
    assert events[-1][1] == {"status": "done", "results": {"v": 192.0}}
    per_node = by_node(events)
    assert {f"l/{i}/m" for i in range(6)} <= set(per_node) and "l/6/m" not in per_node


def test_a_loop_that_hits_its_cap_is_a_clear_error(saved):
    body = graph(
        [var("start", "1"), loop_node("l", "cf_double", maxIterations=3), view("v")],
        [edge("start", "l", "n"), edge("l", "v", "input", "n")],
    )
    with saved.client() as client:
        headers, events = stream(client, body)
    ends = {e["node_id"]: e for _, e in events if e.get("status") == "error"}
    assert ends["l"]["error"] == "Loop reached its cap of 3 iterations with 'more' still true"
    ids = [str(e.get("node_id")) for _, e in events]
    # The loop starts before its first iteration's nodes do.
    assert ids.index("l") < min(i for i, node_id in enumerate(ids) if node_id.startswith("l/0/"))
    assert events[ids.index("l")][1]["status"] == "executing"
    assert "l/3/m" not in by_node(events)


def test_cancel_stops_a_loop_within_an_iteration(saved):
    body = graph(
        [loop_node("l", "cf_forever", maxIterations=50), view("v")], [edge("l", "v", "input", "n")], cache=False
    )
    with saved.client() as client, client.stream("POST", "/execute/stream", json=body) as response:
        run_id = response.headers["x-run-id"]
        for _, event in sse_events(response):
            if event.get("node_id") == "l/1/p" and event.get("status") == "progress":
                assert client.post(f"/runs/{run_id}/cancel").status_code == 202
            if "node_id" not in event:
                final = event
                break
    assert final["status"] == "error" and final["error"] == "cancelled"
    with saved.client() as client:
        record = settled(client, run_id)
        assert record["status"] == "cancelled"
        nodes = record["nodes"]
    assert nodes["l"]["status"] == "error" and nodes["l"]["error"] == "cancelled"
    assert "l/3/p" not in nodes  # stopped in the second iteration


def test_a_map_of_64_sleeps_fans_out_to_the_runners(saved):
    # 2 runners of the test stack, 8 threads each: ~64 x 100 ms / 16 = 400 ms of sleeping.
    body = graph(
        [items("xs", list(range(64))), map_node("m", "cf_sleepy", concurrency=64), view("v")],
        [edge("xs", "m", "items"), edge("m", "v")],
    )
    with saved.client() as client:
        started = time.monotonic()
        answer = client.post("/execute", json=body).json()
        took = time.monotonic() - started
    assert answer == {"results": {"v": [float(i) for i in range(64)]}}
    assert took < 6.4  # far below one sleep after another (the bench measures it closely)


def test_an_unchanged_map_item_is_a_cache_hit(saved):
    def body(values: list) -> dict:
        return graph(
            [items("xs", values), var("ms", "30"), map_node("m", "cf_sleepy"), view("v")],
            [edge("xs", "m", "items"), edge("ms", "m", "ms"), edge("m", "v")],
        )

    with saved.client() as client:
        stream(client, body([101, 102, 103]))
        _, events = stream(client, body([101, 102, 999]))
    per_node = by_node(events)
    ends = {index: per_node[f"m/{index}/s"][-1] for index in range(3)}
    assert [ends[i].get("cached", False) for i in range(3)] == [True, True, False]
    assert events[-1][1] == {"status": "done", "results": {"v": [101.0, 102.0, 999.0]}}


def test_a_subgraph_pinned_to_a_version_runs_that_version(saved):
    first = graph(
        [named_var("x", "x"), fn("f", "add", b=1), named_view("out", "result")], [edge("x", "f", "a"), edge("f", "out")]
    )
    second = graph(
        [named_var("x", "x"), fn("f", "add", b=1000), named_view("out", "result")],
        [edge("x", "f", "a"), edge("f", "out")],
    )
    with saved.client() as client:
        client.delete("/workflows/cf_versions")
        assert client.put("/workflows/cf_versions", json=first).json()["version"] == 1
        assert client.put("/workflows/cf_versions", json=second).json()["version"] == 2

        def run(**pin) -> dict:
            body = graph(
                [var("a", "1"), subgraph("s", "cf_versions", **pin), view("v")],
                [edge("a", "s", "x"), edge("s", "v", "input", "result")],
            )
            return client.post("/execute", json=body).json()

        assert run(version=1) == {"results": {"v": 2.0}}
        assert run() == {"results": {"v": 1001.0}}
        missing = client.post("/execute", json=graph([subgraph("s", "cf_versions", version=7)], []))
    assert missing.status_code == 400 and "no workflow cf_versions (version 7)" in missing.text


def test_a_subgraph_of_a_workflow_that_does_not_exist_is_a_400(saved):
    with saved.client() as client:
        answer = client.post("/execute", json=graph([subgraph("s", "cf_no_such_workflow")], []))
    assert answer.status_code == 400
    assert answer.json()["detail"] == "Subgraph node 's': no workflow cf_no_such_workflow"
