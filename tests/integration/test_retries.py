"""Retries and timeouts through the real stack: events, history, metrics, the run's own timeout.

Nodes that fail count their calls in a file of the test's tmp dir, so the counts are
the calls made, whichever runner process made them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.graphs import by_node, edge, fn, graph, metric_sample, sse_events, stream, view, wait_for
from tests.support.stack import copy_packs, free_run_of_ports, start_stack, stop_stack


@pytest.fixture(scope="module")
def retrying(nats_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("retries")
    packs = copy_packs(root / "nodepacks", "testpack", "basic")
    data = root / "data"
    data.mkdir()
    metrics_port = free_run_of_ports(3)
    env = {"PSYNAPSE_METRICS_PORT": str(metrics_port), "PSYNAPSE_RUNNER_STUCK_GRACE_S": "0.5"}
    running = start_stack(nats_server.url, packs, data, runners=2, env=env)
    yield running, metrics_port
    stop_stack(running.process)


def calls(counter) -> list[float]:
    """When each call noted in a counter file was made."""
    return [float(line) for line in counter.read_text().splitlines()]


def test_a_node_that_fails_twice_then_succeeds(retrying, tmp_path):
    stack, _ = retrying
    counter = tmp_path / "calls"
    body = graph([fn("f", "flaky", counter=str(counter), value=7), view("v")], [edge("f", "v")])
    with stack.client() as client:
        headers, events = stream(client, body)
        f = by_node(events)["f"]
        assert [e["status"] for e in f] == ["executing", "retrying", "retrying", "completed"]
        assert [(e["attempt"], e["max_attempts"], e["error"], e["delay_s"]) for e in f[1:3]] == [
            (2, 3, "call 1 failed", 0.1),
            (3, 3, "call 2 failed", 0.2),
        ]
        assert f[1]["node_number"] == f[0]["node_number"] == 1
        assert f[-1]["output"] == 7 and f[-1]["attempts"] == 3
        assert events[-1][1] == {"status": "done", "results": {"v": 7}}
        assert len(calls(counter)) == 3
        record = client.get(f"/runs/{headers['x-run-id']}").json()
    node = record["nodes"]["f"]
    assert (node["status"], node["attempts"], node["output"]) == ("completed", 3, 7)
    assert node["retries"] == [
        {"attempt": 2, "error": "call 1 failed", "delay_s": 0.1},
        {"attempt": 3, "error": "call 2 failed", "delay_s": 0.2},
    ]


def test_a_node_that_always_fails_fails_after_its_attempts_with_the_last_cause(retrying, tmp_path):
    stack, _ = retrying
    counter = tmp_path / "calls"
    body = graph([fn("f", "flaky", counter=str(counter), fails=99), view("v")], [edge("f", "v")])
    with stack.client() as client:
        headers, events = stream(client, body)
        record = client.get(f"/runs/{headers['x-run-id']}").json()
    f = by_node(events)["f"]
    assert [e["status"] for e in f] == ["executing", "retrying", "retrying", "error"]
    assert f[-1]["error"] == "call 3 failed" and f[-1]["attempts"] == 3
    assert "error_kind" not in f[-1] and "ConnectionError" in f[-1]["traceback"]
    assert by_node(events)["v"][-1]["error_kind"] == "upstream"
    assert len(calls(counter)) == 3
    assert record["status"] == "failed"
    assert record["nodes"]["f"]["attempts"] == 3 and record["nodes"]["f"]["error"] == "call 3 failed"


def test_an_exception_the_policy_does_not_name_fails_at_once(retrying, tmp_path):
    stack, _ = retrying
    counter = tmp_path / "calls"
    body = graph([fn("f", "flaky", counter=str(counter), error="value")], [])
    with stack.client() as client:
        _, events = stream(client, body)
    assert [e["status"] for e in by_node(events)["f"]] == ["executing", "error"]
    assert len(calls(counter)) == 1


def test_backoff_doubles_up_to_its_cap(retrying, tmp_path):
    stack, _ = retrying
    counter = tmp_path / "calls"
    settings = {"times": 4, "backoff_s": 0.3, "max_backoff_s": 0.5}
    body = graph([fn("f", "flaky", counter=str(counter), fails=3, value=1, retry=settings)], [])
    with stack.client() as client:
        _, events = stream(client, body)
    f = by_node(events)["f"]
    assert [e["delay_s"] for e in f if e["status"] == "retrying"] == [0.3, 0.5, 0.5]
    assert f[-1]["status"] == "completed" and f[-1]["attempts"] == 4
    made = calls(counter)
    gaps = [later - earlier for earlier, later in zip(made, made[1:], strict=False)]
    for gap, delay in zip(gaps, [0.3, 0.5, 0.5], strict=True):
        # The pause itself, plus publishing the retry and handing the call to a thread.
        assert delay <= gap < delay + 0.4, gaps


def test_a_nodes_settings_beat_its_decorator_which_beats_its_files_default(retrying, tmp_path):
    stack, _ = retrying
    cases = {
        # node id: (function, the node's settings, attempts expected)
        "file": ("FlakyWords", None, 2),  # PSYNAPSE_RETRY of stream_ops.py: times 2
        "decorated": ("PatientWords", None, 3),  # its @retry(times=3) over the file's
        "node_over_decorator": ("PatientWords", {"times": 4}, 4),
        "node_over_file": ("FlakyWords", {"times": 3}, 3),
        "node_over_function": ("flaky", {"times": 5, "max_backoff_s": 0.2}, 5),  # flaky: @retry(times=3)
    }
    nodes = []
    for node_id, (name, settings, _) in cases.items():
        extra = {"retry": settings} if settings else {}
        nodes.append(fn(node_id, name, counter=str(tmp_path / node_id), fails=99, **extra))
    with stack.client() as client:
        _, events = stream(client, graph(nodes, []))
    nodes_events = by_node(events)
    for node_id, (_, _, attempts) in cases.items():
        assert len(calls(tmp_path / node_id)) == attempts, node_id
        end = nodes_events[node_id][-1]
        assert (end["status"], end["attempts"], end["error"]) == ("error", attempts, f"call {attempts} failed"), node_id


def test_a_retried_stream_node_streams_its_text_afresh(retrying, tmp_path):
    stack, _ = retrying
    body = graph([fn("w", "FlakyWords", counter=str(tmp_path / "calls"), text="done", fails=1)], [])
    with stack.client() as client:
        _, events = stream(client, body)
    w = by_node(events)["w"]
    assert [e["status"] for e in w if e["status"] != "streaming"] == ["executing", "retrying", "completed"]
    texts = [e["streaming_text"] for e in w if e["status"] == "streaming"]
    assert texts[0] == "call 1 " and texts[-1] == "call 2 done"


def test_a_progress_node_stops_at_its_next_report_after_its_timeout(retrying, tmp_path):
    stack, _ = retrying
    notes = tmp_path / "steps"
    body = graph([fn("p", "StepsToFile", counter=str(notes), steps=50, step_ms=100, timeout_s=0.5), view("v")], [])
    started = time.monotonic()
    with stack.client() as client:
        _, events = stream(client, body)
    took = time.monotonic() - started
    p = by_node(events)["p"]
    assert p[-1]["status"] == "error" and p[-1]["error"] == "timed out after 0.5 s"
    assert p[-1]["error_kind"] == "timeout" and "traceback" not in p[-1]
    assert took < 3, took
    # Its thread goes on to its next report, which stops it: the node notes its end then.
    wait_for(lambda: "ended" in notes.read_text())
    noted: dict[str, list[float]] = {}
    for line in notes.read_text().splitlines():
        word, *_, at = line.split()
        noted.setdefault(word, []).append(float(at))
    [start], steps, [ended] = noted["start"], noted["step"], noted["ended"]
    assert all(at < start + 0.5 for at in steps[:-1]), (start, steps)
    assert steps[-1] > start + 0.45, (start, steps)  # the first report past the timeout ...
    assert ended - steps[-1] < 0.05, (steps[-1], ended)  # ... was its last


def test_a_retry_pause_ends_when_the_run_is_cancelled(retrying, tmp_path):
    stack, _ = retrying
    counter = tmp_path / "calls"
    settings = {"times": 5, "backoff_s": 30}
    body = graph([fn("f", "flaky", counter=str(counter), fails=99, retry=settings)], [])
    started = time.monotonic()
    with stack.client() as client, client.stream("POST", "/execute/stream", json=body) as response:
        run_id = response.headers["x-run-id"]
        seen = []
        for _, event in sse_events(response):
            seen.append(event)
            if event.get("status") == "retrying":
                assert client.post(f"/runs/{run_id}/cancel").status_code == 202
    assert seen[-1] == {"status": "error", "error": "cancelled"}
    assert by_node([(None, e) for e in seen])["f"][-1]["error_kind"] == "cancelled"
    assert time.monotonic() - started < 10  # not the 30 s pause
    assert len(calls(counter)) == 1


def test_a_retried_error_keeps_secrets_out_of_its_events(retrying):
    stack, _ = retrying
    body = graph([fn("e", "fail_with_env", var_name="API_KEY", retry={"times": 2, "backoff_s": 0})], [])
    body["env_vars"] = {"API_KEY": "sk-very-secret-value"}
    with stack.client() as client:
        _, events = stream(client, body)
    e = by_node(events)["e"]
    assert [event["status"] for event in e] == ["executing", "retrying", "error"]
    assert e[1]["error"] == "auth failed with key [secret]"
    assert "sk-very-secret-value" not in json.dumps(events)


def test_the_runs_own_timeout_fails_it_and_cancels_what_had_not_finished(retrying, tmp_path):
    stack, _ = retrying
    body = graph(
        [
            fn("p", "StepsToFile", counter=str(tmp_path / "steps"), steps=100, step_ms=100),
            fn("s", "slow_identity", ms=10),
            view("v"),
        ],
        [edge("p", "s", "x"), edge("s", "v")],
        timeout_s=1,
    )
    started = time.monotonic()
    with stack.client() as client:
        headers, events = stream(client, body)
        record = client.get(f"/runs/{headers['x-run-id']}").json()
        folded = client.post("/execute", json={**body, "timeout_s": 0.5}).json()
    took = time.monotonic() - started
    message = "the run timed out after 1 s (its timeout_s); nodes not finished were cancelled"
    assert events[-1][1] == {"status": "error", "error": message}
    nodes = by_node(events)
    assert [nodes[n][-1]["error_kind"] for n in ("p", "s", "v")] == ["cancelled"] * 3
    assert record["status"] == "failed" and record["error"] == message
    assert folded["error"].startswith("the run timed out after 0.5 s")
    assert took < 6, took


@pytest.mark.parametrize("bad", [0, -1, "soon"])
def test_a_run_timeout_must_be_seconds_above_zero(retrying, bad):
    stack, _ = retrying
    with stack.client() as client:
        response = client.post("/execute", json=graph([fn("f", "fail")], [], timeout_s=bad))
    assert response.status_code == 400 and "timeout_s" in response.text


def test_bad_node_settings_are_a_400_naming_the_node(retrying):
    stack, _ = retrying
    with stack.client() as client:
        response = client.post("/execute", json=graph([fn("f", "fail", retry={"times": 0})], []))
    assert response.status_code == 400
    assert "Node 'f': retry times must be a whole number from 1 to 100" in response.json()["detail"]


def test_metrics_count_retries_and_timeouts_by_function(retrying, tmp_path):
    stack, port = retrying
    with stack.client() as client:
        stream(client, graph([fn("f", "flaky", counter=str(tmp_path / "calls"), fails=1)], []))
        # Its next report comes 0.7 s after its timeout: the runner abandons the call first
        # (a report at the timeout itself would race the runner to end it).
        stream(client, graph([fn("p", "SlowProgress", steps=20, step_ms=1000, timeout_s=0.3)], []))
    orchestrator = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert metric_sample(orchestrator, "psynapse_node_retries_total", function="flaky") >= 1
    assert metric_sample(orchestrator, "psynapse_node_timeouts_total", function="SlowProgress") >= 1
    runners = [httpx.get(f"http://127.0.0.1:{port + i}/metrics").text for i in (1, 2)]
    abandoned = sum(metric_sample(t, "psynapse_runner_calls_abandoned_total", function="SlowProgress") for t in runners)
    assert abandoned >= 1


def test_psynapse_run_shows_retries_and_takes_a_timeout(retrying, tmp_path):
    stack, _ = retrying
    flow = tmp_path / "flow.json"
    flow.write_text(
        json.dumps(graph([fn("f", "flaky", counter=str(tmp_path / "calls"), value=3), view("v")], [edge("f", "v")]))
    )
    command = [str(Path(sys.executable).parent / "psynapse"), "run", str(flow), "--url", stack.url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=os.environ, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"v": 3}
    lines = done.stderr.splitlines()
    assert "[1] flaky (f) retrying: call 1 failed; attempt 2 of 3 in 0.1 s" in lines
    assert "[1] flaky (f) retrying: call 2 failed; attempt 3 of 3 in 0.2 s" in lines
    assert any(line.startswith("[1] flaky (f) completed in") and "after 3 attempts: 3" in line for line in lines)
    slow = tmp_path / "slow.json"
    slow.write_text(json.dumps(graph([fn("p", "SlowProgress", steps=100, step_ms=100)], [])))
    command = [str(Path(sys.executable).parent / "psynapse"), "run", str(slow), "--url", stack.url, "--timeout", "0.5"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, env=os.environ, check=False)
    assert done.returncode == 1
    assert "the run timed out after 0.5 s" in done.stderr


def test_the_schema_carries_each_functions_policy(retrying):
    stack, _ = retrying
    with stack.client() as client:
        schemas = {schema["name"]: schema for schema in client.get("/get_schema").json()}
    assert schemas["flaky"]["retry"] == {"times": 3, "backoff_s": 0.1, "max_backoff_s": 1.0, "on": ["ConnectionError"]}
    assert schemas["sleep_forever"]["timeout_s"] == 1.0
    assert schemas["FlakyWords"]["retry"]["times"] == 2  # its file's PSYNAPSE_RETRY
    assert "retry" not in schemas["add"] and "timeout_s" not in schemas["add"]


def test_a_stream_node_past_its_timeout_stops_at_its_next_chunk(retrying):
    stack, _ = retrying
    text = " ".join(f"w{i}" for i in range(40))
    # One call: stream_ops.py's PSYNAPSE_RETRY would call it again after a timeout too.
    body = graph([fn("s", "Words", text=text, delay_ms=100, timeout_s=0.35, retry={"times": 1})], [])
    with stack.client() as client:
        _, events = stream(client, body)
    s = by_node(events)["s"]
    assert s[-1]["status"] == "error" and s[-1]["error"] == "timed out after 0.35 s"
    chunks = [e for e in s if e["status"] == "streaming"]
    assert len(chunks) <= 4, chunks  # what came before the timeout, not the 40 words
