"""The spec's execution contract over real HTTP, real NATS, real services."""

from __future__ import annotations

import time

import nats
import nats.js.errors
import pytest

from tests.support.graphs import (
    by_node,
    edge,
    fn,
    graph,
    lst,
    run_async,
    runs_submitted,
    spec_example,
    stored_counts,
    stream,
    var,
    view,
)


def test_spec_example_executes_to_48(stack):
    with stack.client() as client:
        body = client.post("/execute", json=spec_example()).json()
    assert body == {"results": {"View": 48.0, "ListView": [8.0, 6.0]}}


def test_stream_has_spec_events_in_order(stack):
    with stack.client() as client:
        headers, events = stream(client, spec_example())
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert len(headers["x-run-id"]) == 32
    ids = [int(event_id) for event_id, _ in events if event_id is not None]
    assert len(ids) == len(events), "an event without an id"
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    nodes = by_node(events)
    assert set(nodes) == {"V1", "V2", "V3", "V4", "F1", "F2", "F3", "L1", "View", "ListView"}
    for node_id, node_events in nodes.items():
        statuses = [e["status"] for e in node_events]
        assert statuses == ["executing", "completed"], (node_id, statuses)
        assert len({e["node_number"] for e in node_events}) == 1
    numbers = [data["node_number"] for _, data in events if data.get("status") == "executing"]
    assert numbers == list(range(1, 11))
    assert nodes["F1"][0] == {
        "node_id": "F1",
        "node_number": nodes["F1"][0]["node_number"],
        "node_name": "add",
        "status": "executing",
        "inputs": {"a": 5, "b": 3},
    }
    assert nodes["F3"][1]["output"] == 48.0
    assert nodes["L1"][1]["inputs"] == {"input-0": 8.0, "input-1": 6.0}
    assert nodes["V1"][0]["node_name"] == "Variable"
    assert nodes["L1"][0]["node_name"] == "List"
    assert nodes["View"][0]["node_name"] == "View"
    assert events[-1][1] == {"status": "done", "results": {"View": 48.0, "ListView": [8.0, 6.0]}}


def test_failed_node_stops_dependants_not_branches(stack):
    body = graph(
        [
            var("a", "10"),
            var("z", "0"),
            fn("d", "divide"),
            fn("after", "add", b=1),
            view("w1"),
            fn("ok", "add", a=1, b=2),
            view("w2"),
        ],
        [edge("a", "d", "a"), edge("z", "d", "b"), edge("d", "after", "a"), edge("after", "w1"), edge("ok", "w2")],
    )
    with stack.client() as client:
        result = client.post("/execute", json=body)
        _, events = stream(client, body)
    assert result.status_code == 200
    assert result.json()["results"] == {"w1": None, "w2": 3.0}
    errors = result.json()["errors"]
    assert errors["d"] == "division by zero"
    assert "'a'" in errors["after"] and "'d'" in errors["after"]
    nodes = by_node(events)
    assert [e["status"] for e in nodes["d"]] == ["executing", "error"]
    assert nodes["d"][-1]["error"] == "division by zero"
    assert nodes["d"][-1]["inputs"] == {"a": 10, "b": 0}
    assert [e["status"] for e in nodes["after"]] == ["executing", "error"]
    assert [e["status"] for e in nodes["w1"]] == ["executing", "error"]
    assert nodes["ok"][-1]["output"] == 3.0
    assert events[-1][1]["results"] == {"w1": None, "w2": 3.0}


def test_cycle_is_refused_before_running(stack):
    body = graph([fn("x", "add"), fn("y", "add")], [edge("x", "y", "a"), edge("y", "x", "a")])
    with stack.client() as client:
        refused = client.post("/execute", json=body)
        _, events = stream(client, body)
    assert refused.status_code == 400
    assert "Graph contains a cycle: x -> y -> x" in refused.json()["detail"]
    assert [data for _, data in events] == [{"status": "error", "error": "Graph contains a cycle: x -> y -> x"}]


def test_graph_errors_name_the_node(stack):
    cases = [
        (graph([fn("n1", "no_such_fn")], []), "n1", "no_such_fn"),
        (graph([fn("n1", "add")], [edge("ghost", "n1", "a")]), "ghost", "missing"),
        (graph([{"id": "n1", "type": "weirdNode", "data": {}}], []), "n1", "weirdNode"),
        (graph([fn("n1", "add"), fn("n1", "add")], []), "n1", "Duplicate"),
        (graph([fn("n1", "add"), fn("n2", "add")], [edge("n1", "n2", "nope")]), "n2", "nope"),
        (graph([fn("n1", "os.system")], []), "n1", "os.system"),
    ]
    with stack.client() as client:
        for body, node, word in cases:
            response = client.post("/execute", json=body)
            assert response.status_code == 400, body
            assert node in response.json()["detail"] and word in response.json()["detail"]


def test_bad_bodies_get_4xx_not_500(stack):
    with stack.client() as client:
        assert (
            client.post("/execute", content=b"{not json", headers={"content-type": "application/json"}).status_code
            == 400
        )
        assert client.post("/execute", json={"nodes": "x"}).status_code == 400
        assert client.post("/execute", json={"nodes": [{"id": 1}]}).status_code == 400
        assert client.post("/execute/stream", json=[1, 2]).status_code == 400
        assert client.post("/execute", json={"nodes": [], "edges": []}).json() == {"results": {}}
        _, events = stream(client, {"nodes": [], "edges": []})
        assert [data for _, data in events] == [{"status": "done", "results": {}}]


def test_inputs_convert_to_hinted_types(stack):
    body = graph(
        [
            fn("t", "typed", i="7", f="2.5", s=12, b="false", mode="b"),
            view("w"),
            fn("bad", "typed", i="seven", f=1, s="", b=True),
            view("w2"),
        ],
        [edge("t", "w"), edge("bad", "w2")],
    )
    with stack.client() as client:
        body = client.post("/execute", json=body).json()
    assert body["results"]["w"] == {
        "i": [7, "int"],
        "f": [2.5, "float"],
        "s": ["12", "str"],
        "b": [False, "bool"],
        "mode": "b",
    }
    assert "input 'i'" in body["errors"]["bad"] and "'seven'" in body["errors"]["bad"]


def test_variable_formats_and_list_order(stack):
    body = graph(
        [
            var("msg", "Hi", "String", llmMessageFormat=True, llmMessageRole="system"),
            var("txt", "Yo", "String", textContentFormat=True),
            var("obj", '{"k": [1, 2]}', "Object"),
            var("flag", "yes", "Boolean"),
            var("img", "data:image/png;base64,AAAA", "Image", imageContentFormat=True, llmMessageFormat=True),
            lst("l"),
            view("w"),
        ],
        [edge(src, "l", f"input-{n}") for n, src in [(10, "img"), (2, "txt"), (0, "msg"), (3, "obj"), (4, "flag")]]
        + [edge("l", "w")],
    )
    with stack.client() as client:
        result = client.post("/execute", json=body).json()["results"]["w"]
    assert result == [
        {"role": "system", "content": "Hi"},
        {"type": "text", "content": "Yo"},
        {"k": [1, 2]},
        True,
        {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
    ]


def test_multi_output_node_feeds_each_key(stack):
    body = graph(
        [var("t", "ab:cd", "String"), fn("s", "split_pair"), view("l"), view("r"), view("all")],
        [
            edge("t", "s", "text"),
            edge("s", "l", source_handle="left"),
            edge("s", "r", source_handle="right"),
            edge("s", "all", source_handle="left"),
        ],
    )
    with stack.client() as client:
        results = client.post("/execute", json=body).json()["results"]
    assert results == {"l": "ab", "r": "cd", "all": "ab"}


def test_rich_values_travel_intact_and_show_as_json(stack):
    body = graph(
        [
            fn("p", "make_point", x=2, y=3),
            fn("ps", "point_sum"),
            view("pv"),
            view("pshow"),
            fn("img", "make_image", size=5),
            fn("w", "image_width"),
            view("wv"),
            view("imgv"),
            fn("arr", "make_array", n=4),
            fn("as", "array_sum"),
            view("av"),
            view("arrv"),
            fn("st", "make_set", n=3),
            fn("ss", "set_size"),
            view("sv"),
        ],
        [
            edge("p", "ps", "p"),
            edge("ps", "pv"),
            edge("p", "pshow"),
            edge("img", "w", "img"),
            edge("w", "wv"),
            edge("img", "imgv"),
            edge("arr", "as", "a"),
            edge("as", "av"),
            edge("arr", "arrv"),
            edge("st", "ss", "s"),
            edge("ss", "sv"),
        ],
    )
    with stack.client() as client:
        response = client.post("/execute", json=body).json()
    results = response["results"]
    assert "errors" not in response, response
    assert results["pv"] == 5 and results["wv"] == 5 and results["av"] == 6.0 and results["sv"] == 3
    assert results["pshow"].endswith("Point(x=2, y=3)")
    assert results["imgv"].startswith("data:image/png;base64,")
    assert results["arrv"] == [0.0, 1.0, 2.0, 3.0]


def test_progress_and_stream_events(stack):
    body = graph(
        [
            fn("p", "SlowProgress", steps=4, step_ms=50),
            view("pv"),
            var("t", "one two three", "String"),
            fn("s", "Words", delay_ms=10),
            view("sv"),
        ],
        [edge("p", "pv"), edge("t", "s", "text"), edge("s", "sv")],
    )
    with stack.client() as client:
        _, events = stream(client, body)
    nodes = by_node(events)
    progress = [e for e in nodes["p"] if e["status"] == "progress"]
    assert [e["progress"] for e in progress] == [0.25, 0.5, 0.75, 1.0]
    assert progress[0]["progress_message"] == "step 1/4"
    assert progress[0]["inputs"] == {"steps": 4, "step_ms": 50}
    assert nodes["p"][0]["status"] == "executing" and nodes["p"][-1]["status"] == "completed"
    chunks = [e for e in nodes["s"] if e["status"] == "streaming"]
    assert [e["streaming_chunk"] for e in chunks] == ["one ", "two ", "three "]
    assert [e["streaming_text"] for e in chunks] == ["one ", "one two ", "one two three "]
    assert events[-1][1]["results"] == {"pv": 4, "sv": "one two three"}


def test_independent_branches_overlap(stack):
    body = graph(
        [fn("a", "slow_identity", x=1, ms=300), fn("b", "slow_identity", x=2, ms=300), view("va"), view("vb")],
        [edge("a", "va"), edge("b", "vb")],
    )
    with stack.client() as client:
        _, events = stream(client, body)
    order = [(data.get("node_id"), data.get("status")) for _, data in events]
    # Both started before either completed: they ran at the same time.
    first_done = min(order.index(("a", "completed")), order.index(("b", "completed")))
    assert order.index(("a", "executing")) < first_done
    assert order.index(("b", "executing")) < first_done


def test_large_values_travel_through_the_object_store(stack):
    body = graph(
        [
            fn("big", "make_big", kb=3072),
            fn("s", "big_sum"),
            view("sv"),
            view("bv"),
            fn("big2", "make_big", kb=2048),
            fn("again", "slow_identity", ms=0),
            fn("s2", "big_sum"),
            view("s2v"),
        ],
        [
            edge("big", "s", "a"),
            edge("s", "sv"),
            edge("big", "bv"),
            edge("big2", "again", "x"),
            edge("again", "s2", "a"),
            edge("s2", "s2v"),
        ],
    )
    n = 3072 * 128
    with stack.client(timeout=60) as client:
        response = client.post("/execute", json=body).json()
        _, events = stream(client, body)
    assert "errors" not in response, response
    assert response["results"]["sv"] == n * (n - 1) / 2
    assert response["results"]["s2v"] == (2048 * 128) * (2048 * 128 - 1) / 2
    shown = response["results"]["bv"]
    assert len(shown) == n and shown[:3] == [0.0, 1.0, 2.0]
    assert len(events[-1][1]["results"]["bv"]) == n


def test_limits_answer_with_their_name(stack):
    too_many = graph([fn(f"n{i}", "add", a=1, b=1) for i in range(5001)], [])
    with stack.client() as client:
        refused = client.post("/execute", json=too_many)
        assert refused.status_code == 422 and "PSYNAPSE_MAX_NODES" in refused.json()["detail"]
        huge = b'{"nodes": [], "edges": [], "pad": "' + b"x" * (17 * 1024 * 1024) + b'"}'
        response = client.post("/execute", content=huge, headers={"content-type": "application/json"})
        assert response.status_code == 413


def _jobs_published(stack, body: dict) -> tuple[int, dict, int]:
    """Jobs the orchestrator published for one run of ``body``, its answer, its event messages."""
    before, _ = stored_counts(stack.nats_url)
    with stack.client() as client:
        response = client.post("/execute", json=body)
    after, events = stored_counts(stack.nats_url, response.headers["x-run-id"])
    return after - before, response.json(), events


@pytest.mark.parametrize("kb", [300, 200])
def test_node_events_too_large_for_one_message_are_split_or_offloaded(stack, kb):
    # 300 KB: each value is over the inline limit. 200 KB: none is, but once
    # make_big and big_sum are quick the run is one job whose node events carry
    # each value several times over, far more than one message holds.
    body = graph(
        [fn("big", "make_big", kb=kb), fn("s", "big_sum"), view("sv"), view("bv"), view("bv2")],
        [edge("big", "s", "a"), edge("s", "sv"), edge("big", "bv"), edge("big", "bv2")],
        cache=False,
    )
    n = kb * 128
    answers = []
    for _ in range(5):
        _, answer, _ = _jobs_published(stack, body)
        assert answer["results"]["sv"] == n * (n - 1) / 2 and len(answer["results"]["bv"]) == n
        answers.append(answer)
    assert all(answer == answers[0] for answer in answers)


def test_a_small_run_of_quick_functions_is_one_job_once_they_are_known_quick(stack):
    body = graph(
        [
            var("a", "10"),
            var("z", "2"),
            fn("d", "divide"),
            fn("after", "add", b=1),
            view("w1"),
            fn("ok", "add", a=1, b=2),
            fn("sum", "add", b=5),
            view("w2"),
        ],
        [
            edge("a", "d", "a"),
            edge("z", "d", "b"),
            edge("d", "after", "a"),
            edge("after", "w1"),
            edge("ok", "sum", "a"),
            edge("sum", "w2"),
        ],
        cache=False,  # every run executes: this is about the cut, not the output cache
    )
    first_jobs, first, first_messages = _jobs_published(stack, body)
    for _ in range(3):  # the orchestrator's learner needs three calls of each function
        _jobs_published(stack, body)
    jobs, answer, messages = _jobs_published(stack, body)
    assert first_jobs >= 2 and jobs == 1
    # One message for every node's events, one for the run's end.
    assert first_messages > 2 and messages == 2
    assert answer == first == {"results": {"w1": 6.0, "w2": 8.0}}
    with stack.client() as client:
        _, events = stream(client, body)
    nodes = by_node(events)
    for node_id in ("a", "d", "after", "ok", "sum", "w1"):
        assert [e["status"] for e in nodes[node_id]] == ["executing", "completed"], nodes[node_id]
    assert nodes["sum"][1]["output"] == 8.0 and nodes["sum"][0]["inputs"] == {"a": 3.0, "b": 5}


def test_every_run_is_an_orchestrators_whatever_asks_for_it(stack):
    body = graph(
        [var("x", "7", variableName="x"), fn("a", "add", b=1), view("v")],
        [edge("x", "a", "a"), edge("a", "v")],
        cache=False,
    )
    url = stack.nats_url
    with stack.client() as client:
        assert client.put("/workflows/every-route", json=body).status_code in (200, 201)
        for _ in range(4):  # known quick or not, cache or not: the same route
            for ask in (
                lambda: client.post("/execute", json=body).json(),
                lambda: stream(client, body)[1][-1][1],
                lambda: client.post("/execute", json={**body, "cache": True}).json(),
                lambda: client.post("/workflows/every-route/run", json={"inputs": {"x": 7}}).json(),
            ):
                before = runs_submitted(url)
                answer = ask()
                assert answer.get("results") == {"v": 8.0}, answer
                assert runs_submitted(url) == before + 1


def test_an_orchestrator_lets_go_of_a_run_as_soon_as_it_ends(stack):
    body = graph([var("x", "2"), fn("a", "add", b=1), view("v")], [edge("x", "a", "a"), edge("a", "v")], cache=False)

    async def submit_held(run_id: str) -> bool:
        nc = await nats.connect(stack.nats_url)
        try:
            await nc.jetstream().get_last_msg("PSY_RUNS", f"psynapse.runs.submit.{run_id}")
            return True
        except nats.js.errors.NotFoundError:
            return False
        finally:
            await nc.close()

    with stack.client() as client:
        for _ in range(5):
            headers, events = stream(client, body)
            assert events[-1][1] == {"status": "done", "results": {"v": 3.0}}
            # The orchestrator acks the submit once the run's end is stored, not at
            # its next keep-alive tick (10 s here).
            deadline = time.monotonic() + 2
            while run_async(submit_held(headers["x-run-id"])) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert not run_async(submit_held(headers["x-run-id"]))
