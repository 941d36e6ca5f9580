"""Measured figures: rendering a big workflow, and SSE events the status panel keeps up with.

Figures are printed and written to test-results/e2e/metrics.json.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    SHOTS,
    execute,
    int_attribute,
    open_editor,
    runs_started,
    status_item,
    wait_run_finished,
)
from tests.support.e2e_workflows import chain_graph, many_progress_graph

pytestmark = pytest.mark.e2e


def record(name: str, value) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / "metrics.json"
    metrics = json.loads(path.read_text()) if path.exists() else {}
    metrics[name] = value
    path.write_text(json.dumps(metrics, indent=2))
    print(f"{name}: {value}")


IMPORT_AND_TIME = """async (text) => {
    const input = document.querySelector('[data-testid="import-input"]');
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'big.json', { type: 'application/json' }));
    const expectedNodes = JSON.parse(text).nodes.length;
    const expectedEdges = JSON.parse(text).edges.length;
    const started = performance.now();
    input.files = transfer.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    return await new Promise((resolve) => {
        const check = () => {
            const nodes = document.querySelectorAll('.react-flow__node');
            const shown = [...nodes].filter((n) => getComputedStyle(n).visibility !== 'hidden').length;
            const edges = document.querySelectorAll('.react-flow__edge').length;
            if (shown === expectedNodes && edges === expectedEdges) {
                // one more frame so the result has been painted
                requestAnimationFrame(() => resolve(performance.now() - started));
            } else requestAnimationFrame(check);
        };
        check();
    });
}"""


def test_render_time_of_a_300_node_workflow(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    graph = chain_graph(300)
    took_ms = page.evaluate(IMPORT_AND_TIME, json.dumps(graph))
    record("render_300_nodes_ms", round(took_ms))
    expect(page.locator(".react-flow__node")).to_have_count(300)
    assert took_ms < 5000, took_ms
    # And the whole chain runs: 0 + 298 additions of 1.
    execute(page)
    assert wait_run_finished(page, timeout=120000) == "done"
    expect(page.get_by_test_id("node-n299").get_by_test_id("view-value")).to_have_text("298")
    record("run_300_node_chain_events", int_attribute(page.get_by_test_id("status-panel"), "data-event-count"))


def _server_event_count(url: str, run_id: str) -> int:
    count = 0
    with urllib.request.urlopen(f"{url}/runs/{run_id}/events", timeout=60) as response:
        for raw in response:
            if raw.startswith(b"data:"):
                count += 1
    return count


@pytest.mark.parametrize(("nodes", "count"), [(10, 300), (20, 500)], ids=["3k-events", "10k-events"])
def test_status_panel_keeps_up_with_a_large_run(page: Page, psynapse: str, tmp_path, nodes: int, count: int) -> None:
    """A real run with thousands of progress events: every event the server sent reaches the panel."""
    open_editor(page, psynapse)
    path = tmp_path / "many.json"
    path.write_text(json.dumps(many_progress_graph(nodes, count, delay_ms=0)))
    page.get_by_test_id("import-input").set_input_files(str(path))
    expect(page.locator(".react-flow__node")).to_have_count(nodes)
    run_ids = runs_started(page)
    page.evaluate("window.__t0 = performance.now()")
    execute(page)
    assert wait_run_finished(page, timeout=60000) == "done"
    elapsed_ms = page.evaluate("performance.now() - window.__t0")
    handled = int_attribute(page.get_by_test_id("status-panel"), "data-event-count")
    sent = _server_event_count(psynapse, run_ids[0])
    assert sent == sum(count + i + 2 for i in range(nodes)) + 1, sent
    assert handled == sent, (handled, sent)
    for i in range(nodes):
        card = status_item(page, f"P{i}")
        expect(card).to_have_attribute("data-status", "completed")
    record(f"real_run_{sent}_events_seconds", round(elapsed_ms / 1000, 2))
    record(f"real_run_{sent}_events_per_second", round(sent / (elapsed_ms / 1000)))


def _synthetic_stream(nodes: int, updates: int) -> tuple[str, int]:
    lines = []
    seq = 0

    def emit(body: dict) -> None:
        nonlocal seq
        seq += 1
        lines.append(f"id: {seq}\ndata: {json.dumps(body, separators=(',', ':'))}\n\n")

    for n in range(nodes):
        base = {
            "node_id": f"P{n}",
            "node_number": n + 1,
            "node_name": "CountWithProgress",
            "inputs": {"count": updates},
        }
        emit({**base, "status": "executing"})
    for step in range(1, updates + 1):
        for n in range(nodes):
            base = {
                "node_id": f"P{n}",
                "node_number": n + 1,
                "node_name": "CountWithProgress",
                "inputs": {"count": updates},
            }
            emit(
                {**base, "status": "progress", "progress": step / updates, "progress_message": f"Step {step}/{updates}"}
            )
    for n in range(nodes):
        base = {
            "node_id": f"P{n}",
            "node_number": n + 1,
            "node_name": "CountWithProgress",
            "inputs": {"count": updates},
        }
        emit({**base, "status": "completed", "output": updates})
    emit({"status": "done", "results": {}})
    return "".join(lines), seq


def test_status_panel_event_throughput(page: Page, psynapse: str, tmp_path) -> None:
    """The panel's own capacity: 50k events delivered as fast as the browser takes them."""
    open_editor(page, psynapse)
    nodes, updates = 50, 1000
    path = tmp_path / "many.json"
    path.write_text(json.dumps(many_progress_graph(nodes, updates)))
    page.get_by_test_id("import-input").set_input_files(str(path))
    expect(page.locator(".react-flow__node")).to_have_count(nodes)
    body, total = _synthetic_stream(nodes, updates)
    page.route(
        "**/execute/stream",
        lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/event-stream", "X-Run-Id": "synthetic"}, body=body
        ),
    )
    page.route("**/runs/synthetic/**", lambda route: route.fulfill(status=404, body="{}"))
    page.evaluate("window.__t0 = performance.now()")
    execute(page)
    assert wait_run_finished(page, timeout=120000) == "done"
    elapsed_ms = page.evaluate("performance.now() - window.__t0")
    handled = int_attribute(page.get_by_test_id("status-panel"), "data-event-count")
    assert handled == total, (handled, total)
    expect(page.get_by_test_id("status-item")).to_have_count(nodes)
    expect(status_item(page, f"P{nodes - 1}")).to_have_attribute("data-status", "completed")
    record("synthetic_events", total)
    record("synthetic_seconds", round(elapsed_ms / 1000, 2))
    record("synthetic_events_per_second", round(total / (elapsed_ms / 1000)))
