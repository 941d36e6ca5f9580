"""A client that goes away mid-stream (a closed browser tab) costs the gateway nothing it logs as an error."""

from __future__ import annotations

import json
import time

from tests.support.graphs import edge, fn, graph, sse_events, view


def _gateway_trouble(log_text: str) -> list[str]:
    """Log lines of errors or tracebacks (the stack logs JSON, one object per line)."""
    trouble = []
    for line in log_text.splitlines():
        if "Traceback" in line or "aclose()" in line:
            trouble.append(line)
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("level") in ("error", "critical", "exception"):
            trouble.append(line)
    return trouble


def _drop_mid_run(client, path: str, method: str = "GET", body: dict | None = None) -> str:
    with client.stream(method, path, json=body) as response:
        assert response.status_code == 200
        run_id = response.headers["x-run-id"]
        for _, data in sse_events(response):
            if data.get("status") == "progress":
                break  # leave while the run goes on: the with-block closes the connection
    return run_id


def test_closing_a_stream_mid_run_logs_no_error(stack):
    log = stack.data_dir / "up.log"
    before = log.stat().st_size
    body = graph([fn("p", "SlowProgress", steps=30, step_ms=50), view("v")], [edge("p", "v")])
    with stack.client() as client:
        for _ in range(3):
            run_id = _drop_mid_run(client, "/execute/stream", "POST", body)
        # The replay-then-follow stream too.
        with client.stream("POST", "/execute/stream", json=body) as response:
            run_id = response.headers["x-run-id"]
        for _ in range(2):
            _drop_mid_run(client, f"/runs/{run_id}/events")
        # The runs go on without their clients, and end.
        deadline = time.monotonic() + 20
        while client.get(f"/runs/{run_id}").json()["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get(f"/runs/{run_id}").json()["status"] == "done"
    time.sleep(0.5)  # let the gateway finish its clean-up and logging
    with log.open("rb") as handle:
        handle.seek(before)
        written = handle.read().decode(errors="replace")
    assert _gateway_trouble(written) == [], written[-3000:]
