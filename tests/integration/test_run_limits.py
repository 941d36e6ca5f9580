"""The gateway's limit guards on a real stack: runs in flight per client (429), graph sizes (422)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.graphs import edge, fn, graph, sse_events, var, view
from tests.support.stack import copy_packs, start_stack, stop_stack

MAX_NODES = 20


@pytest.fixture(scope="module")
def limited(nats_server, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("limits")
    packs = copy_packs(root / "nodepacks", "testpack", "basic")
    data = root / "data"
    data.mkdir()
    running = start_stack(
        nats_server.url,
        packs,
        data,
        runners=1,
        env={"PSYNAPSE_MAX_RUNS_PER_CLIENT": "1", "PSYNAPSE_MAX_NODES": str(MAX_NODES)},
    )
    yield running
    stop_stack(running.process)


def _quick() -> dict:
    return graph([fn("a", "add", a=1, b=2), view("v")], [edge("a", "v")])


def _slow(steps: int = 20) -> dict:
    """A run of ``steps`` tenths of a second; not from the cache: it must run, slowly, every time."""
    return graph([fn("p", "SlowProgress", steps=steps, step_ms=100), view("v")], [edge("p", "v")], cache=False)


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json() == {
        "status_code": 429,
        "detail": "1 runs of this client are in flight; PSYNAPSE_MAX_RUNS_PER_CLIENT=1",
    }


def _past_first_progress(response: httpx.Response) -> Iterator[tuple[str | None, dict]]:
    """The stream's events, read up to its first progress event (failing if the run ends first)."""
    events = sse_events(response)
    for _, data in events:
        if data.get("status") == "progress":
            return events
    pytest.fail("the run ended before its first progress event")


def _runs_again(client: httpx.Client, within_s: float = 0.0) -> None:
    """The client may start a run: at once after its answers ended, ``within_s`` after it left one."""
    deadline = time.monotonic() + within_s
    while True:
        response = client.post("/execute", json=_quick())
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        _refused(response)
        time.sleep(0.05)
    assert response.status_code == 200, response.text
    assert response.json() == {"results": {"v": 3.0}}


def test_a_streamed_run_holds_its_clients_slot_until_its_stream_ends(limited):
    with limited.client() as client, httpx.Client(base_url=limited.url, timeout=30) as other:
        assert client.put("/workflows/quick", json=_quick()).status_code == 200
        with client.stream("POST", "/execute/stream", json=_slow()) as response:
            assert response.status_code == 200
            run_id = response.headers["x-run-id"]
            events = _past_first_progress(response)
            # Every way to start a run is refused while the stream runs, from any connection
            # of the same client address.
            _refused(other.post("/execute", json=_quick()))
            _refused(other.post("/execute/stream", json=_quick()))
            _refused(other.post("/workflows/quick/run", json={"inputs": {}}))
            _refused(other.post("/workflows/quick/run", headers={"Accept": "text/event-stream"}))
            # What starts no run is not counted.
            assert other.get(f"/runs/{run_id}").json()["status"] == "running"
            assert other.put("/workflows/quick", json=_quick()).status_code == 200
            assert other.get("/runs", params={"status": "running"}).status_code == 200
            rest = [data for _, data in events]
        assert rest[-1]["status"] == "done"
        _runs_again(other)


def test_a_client_that_leaves_its_stream_gives_its_slot_back(limited):
    with limited.client() as client:
        # Ten seconds: its slot must come back when the client leaves, long before the run ends.
        with client.stream("POST", "/execute/stream", json=_slow(steps=100)) as response:
            run_id = response.headers["x-run-id"]
            # Held in a name: a parser dropped mid-stream would close the connection already.
            _events = _past_first_progress(response)
            _refused(client.post("/execute", json=_quick()))
        # The stream was closed mid-run (a closed tab): the run goes on, and the slot is
        # free as soon as the gateway notices.
        _runs_again(client, within_s=3.0)
        assert client.get(f"/runs/{run_id}").json()["status"] == "running"


def test_refused_and_failed_runs_give_their_slot_back(limited):
    cycle = graph([fn("a", "add", b=1), fn("b", "add", b=1)], [edge("a", "b", "a"), edge("b", "a", "a")])
    with limited.client() as client:
        for _ in range(3):
            assert client.post("/execute", json=cycle).status_code == 400
            assert client.post("/workflows/nope/run", json={"inputs": {}}).status_code == 404
            with client.stream("POST", "/execute/stream", json=cycle) as response:
                assert [data for _, data in sse_events(response)] == [
                    {"status": "error", "error": "Graph contains a cycle: a -> b -> a"}
                ]
            failed = client.post("/execute", json=graph([fn("d", "divide", a=1, b=0)], []))
            assert failed.status_code == 200 and failed.json()["errors"] == {"d": "division by zero"}
        _runs_again(client)


def test_graph_size_limits_guard_runs_and_saves(limited):
    too_many = graph([var(f"v{i}", i) for i in range(MAX_NODES + 1)], [])
    expected = {"status_code": 422, "detail": f"{MAX_NODES + 1} nodes is more than PSYNAPSE_MAX_NODES={MAX_NODES}"}
    with limited.client() as client:
        for method, path in (("POST", "/execute"), ("POST", "/execute/stream"), ("PUT", "/workflows/big")):
            refused = client.request(method, path, json=too_many)
            assert refused.status_code == 422 and refused.json() == expected, (path, refused.text)
        assert client.get("/workflows/big").status_code == 404  # nothing was saved
        # A body that is no graph at all is the parser's to refuse, with its own words.
        malformed = client.post("/execute", content=b"{nope", headers={"content-type": "application/json"})
        assert malformed.status_code == 400 and "JSON is malformed" in malformed.json()["detail"]
        _runs_again(client)
