"""Branches over real HTTP: If, Switch and Skip through /execute and /execute/stream,
skipped nodes' events, history, and a resumed run that skips what it skipped before."""

from __future__ import annotations

from tests.support.graphs import by_node, edge, fn, graph, if_graph, settled, stream, var, view


def test_if_streams_skipped_events_for_the_branch_not_taken(stack):
    with stack.client() as client:
        headers, events = stream(client, if_graph(False))
        record = settled(client, headers["x-run-id"])
    per_node = by_node(events)
    assert [e["status"] for e in per_node["yes"]] == ["skipped"]
    assert [e["status"] for e in per_node["vy"]] == ["skipped"]
    skipped = per_node["yes"][0]
    assert set(skipped) == {"node_id", "node_number", "node_name", "status"}
    assert skipped["node_name"] == "slow_identity"
    assert [e["status"] for e in per_node["no"]] == ["executing", "completed"]
    assert events[-1][1] == {"status": "done", "results": {"vy": None, "vn": 105.0}}
    assert record["status"] == "done"
    statuses = {node_id: entry["status"] for node_id, entry in record["nodes"].items()}
    assert statuses["yes"] == "skipped" and statuses["no"] == "completed"


def test_execute_answers_null_for_views_of_skipped_nodes(stack):
    with stack.client() as client:
        assert client.post("/execute", json=if_graph(True)).json() == {"results": {"vy": 5.0, "vn": None}}


def test_switch_and_skip_over_http(stack):
    body = graph(
        [
            var("t", "forty", "String"),
            fn("p", "parse_int"),
            {"id": "sw", "type": "switchNode", "data": {"cases": ["forty", "fifty"]}},
            view("v40"),
            view("v50"),
            view("other"),
            fn("double", "multiply", b=2),
            view("vd"),
        ],
        [
            edge("t", "p", "text"),
            edge("p", "sw", "value", "invalid"),
            edge("p", "double", "a", "number"),
            edge("sw", "v40", "input", "forty"),
            edge("sw", "v50", "input", "fifty"),
            edge("sw", "other", "input", "default"),
            edge("double", "vd"),
        ],
    )
    with stack.client() as client:
        answer = client.post("/execute", json=body).json()
    assert answer == {"results": {"v40": "forty", "v50": None, "other": None, "vd": None}}


def test_a_bad_branch_is_a_400_naming_the_node(stack):
    body = graph([{"id": "sw", "type": "switchNode", "data": {"cases": ["a", "default"]}}], [])
    with stack.client() as client:
        response = client.post("/execute", json=body)
    assert response.status_code == 400
    assert "Switch node 'sw'" in response.text and "fallback output" in response.text
