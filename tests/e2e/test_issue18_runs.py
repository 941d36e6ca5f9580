"""Issue 18, runs as a user meets them: Re-run runs the run's own graph (1), failures on
the failing node and one status word (7), Stop is not a crash (8), streamed text and
progress on the node (9), a closed tab costs the gateway no error (12)."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    confirm,
    execute,
    history_rows,
    import_workflow,
    node,
    open_editor,
    requests_sent,
    runs_started,
    samples,
    shot,
    start_sampling,
    status_item,
    view_text,
    wait_run_finished,
)
from tests.support.e2e_workflows import (
    divide_by_zero_graph,
    edge,
    function,
    progress_graph,
    stream_graph,
    variable,
    view,
)

pytestmark = pytest.mark.e2e


def sum_graph(a: str, b: str) -> dict:
    return {
        "nodes": [
            variable("V1", 0, 0, a),
            variable("V2", 0, 240, b),
            function("F1", "add", 320, 100),
            view("W", 640, 120),
        ],
        "edges": [edge("V1", "F1", "a"), edge("V2", "F1", "b"), edge("F1", "W", "input")],
    }


def api(page: Page, url: str, path: str) -> dict:
    answer = page.request.get(url + path)
    assert answer.ok, f"GET {path}: {answer.status} {answer.text()}"
    return answer.json()


def variable_values(graph: dict) -> list:
    return [n["data"]["variableValue"] for n in graph["nodes"] if n["type"] == "variableNode"]


def test_item1_rerun_runs_the_runs_own_graph_and_open_in_editor_loads_it(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    import_workflow(page, sum_graph("5", "3"), tmp_path)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("8")
    # The canvas moves on to another graph ...
    import_workflow(page, sum_graph("100", "200"), tmp_path, name="other.json")
    page.get_by_test_id("history-button").click()
    rows = history_rows(page)
    expect(rows).to_have_count(1)
    first_id = rows.first.get_attribute("data-run-id") or ""
    rows.first.click()
    detail = page.get_by_test_id("history-detail")
    sent: list[dict] = requests_sent(
        page, lambda r: r.url.endswith("/execute/stream"), lambda r: json.loads(r.post_data or "{}")
    )
    # ... and Re-run of the old run runs the old run's graph: 5 + 3, not the canvas's 100 + 200.
    detail.get_by_test_id("rerun-button").click()
    assert wait_run_finished(page) == "done"
    assert variable_values(sent[0]) == ["5", "3"]
    expect(status_item(page, "W").get_by_test_id("status-output")).to_have_text("8")
    expect(page.get_by_test_id("detached-run")).to_contain_text(first_id[:8])
    # The canvas is left as it was, and not painted with a run of another graph.
    expect(node(page, "V1").get_by_test_id("variable-value")).to_have_value("100")
    expect(node(page, "F1")).to_have_attribute("data-status", "idle")
    expect(view_text(page, "W")).to_have_attribute("data-empty", "true")
    # The server recorded it as a run of that graph.
    expect(rows).to_have_count(2)
    rerun_id = rows.first.get_attribute("data-run-id")
    assert rerun_id != first_id
    assert variable_values(api(page, psynapse, f"/runs/{rerun_id}/graph")) == ["5", "3"]
    shot(page, "item1-after")

    # Open in editor: the run's own graph on the canvas, with its results, as it was drawn.
    page.locator(f'[data-testid="history-run"][data-run-id="{first_id}"]').click()
    expect(detail).to_have_attribute("data-run-id", first_id)
    detail.get_by_test_id("open-run-button").click()
    confirm(page, "Discard changes")  # the canvas held an unsaved graph
    expect(node(page, "V1").get_by_test_id("variable-value")).to_have_value("5")
    expect(view_text(page, "W")).to_have_text("8")
    page.wait_for_function(
        "JSON.parse(localStorage.getItem('psynapse.workflow') || '{}').nodes?.[0]?.data?.variableValue === '5'"
    )
    positions = page.evaluate(
        "JSON.parse(localStorage.getItem('psynapse.workflow')).nodes.map(n => [n.id, n.position])"
    )
    assert positions == [
        ["V1", {"x": 0, "y": 0}],
        ["V2", {"x": 0, "y": 240}],
        ["F1", {"x": 320, "y": 100}],
        ["W", {"x": 640, "y": 120}],
    ]


def test_item7_a_failure_shows_on_its_node_dependants_did_not_run_and_every_badge_says_failed(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    import_workflow(page, divide_by_zero_graph(), tmp_path)
    execute(page)
    assert wait_run_finished(page) == "failed"
    failing = node(page, "D1")
    expect(failing).to_have_attribute("data-status", "error")
    expect(failing.get_by_test_id("node-error")).to_contain_text("division by zero")
    failing.get_by_test_id("node-traceback-toggle").click()
    trace = failing.get_by_test_id("node-traceback")
    expect(trace).to_contain_text("in divide")
    expect(trace).to_contain_text("ZeroDivisionError: division by zero")
    # The view after it did not run: it says so, in grey, and does not repeat the error.
    after = node(page, "W1")
    expect(after).to_have_attribute("data-status", "skipped")
    expect(view_text(page, "W1")).to_have_text("Not run: its input comes from D1 (divide), which failed")
    assert border_color(page, "W1") != "rgb(239, 68, 68)"
    expect(status_item(page, "W1")).to_have_attribute("data-status", "skipped")
    expect(status_item(page, "D1").get_by_test_id("status-error")).to_have_text("division by zero")
    # One word for the run, everywhere: the badge, History, the API.
    expect(page.get_by_test_id("run-phase")).to_have_text("Failed")
    expect(page.get_by_test_id("run-summary")).to_contain_text("4 nodes · 2 done · 1 failed · 1 not run")
    page.get_by_test_id("history-button").click()
    row = history_rows(page).first
    expect(row).to_have_attribute("data-status", "failed")
    expect(row.get_by_test_id("history-run-status")).to_have_text("Failed")
    run_id = row.get_attribute("data-run-id")
    assert api(page, psynapse, f"/runs/{run_id}")["status"] == "failed"
    assert api(page, psynapse, "/runs?status=failed")["runs"][0]["run_id"] == run_id
    page.get_by_test_id("history-button").click()
    shot(page, "item7-after")


def border_color(page: Page, node_id: str) -> str:
    return page.evaluate(f"getComputedStyle(document.querySelector('[data-testid=\"node-{node_id}\"]')).borderTopColor")


def stoppable_graph() -> dict:
    graph = stream_graph(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen", delay_ms=250
    )
    graph["nodes"] += [function("P1", "CountWithProgress", 300, 300, count=100, delay_ms=100), view("W2", 620, 300)]
    graph["edges"].append(edge("P1", "W2", "input"))
    return graph


def test_item8_stop_cancels_calmly_and_keeps_the_streamed_text(page: Page, psynapse: str, tmp_path: Path) -> None:
    open_editor(page, psynapse)
    import_workflow(page, stoppable_graph(), tmp_path)
    execute(page)
    stream = node(page, "S1").get_by_test_id("node-stream")
    expect(stream).to_contain_text("one two three", timeout=15000)
    page.get_by_test_id("stop-button").click()
    assert wait_run_finished(page) == "cancelled"
    for node_id in ("S1", "P1", "W1", "W2"):
        expect(node(page, node_id)).to_have_attribute("data-status", "cancelled")
        expect(status_item(page, node_id)).to_have_attribute("data-status", "cancelled")
    expect(node(page, "T1")).to_have_attribute("data-status", "completed")
    assert page.locator('[data-status="error"]').count() == 0  # nothing looks like a crash
    # What was streamed before the stop stays, on the node and in its card.
    kept = stream.inner_text()
    assert kept.startswith("one two three") and len(kept) < len(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    )
    expect(status_item(page, "S1").get_by_test_id("status-stream")).to_have_text(kept)
    expect(node(page, "P1").get_by_test_id("node-progress")).to_be_visible()
    expect(view_text(page, "W1")).to_have_text("Cancelled: the run was stopped")
    expect(page.get_by_test_id("run-phase")).to_have_text("Cancelled")
    expect(page.get_by_test_id("run-summary")).to_contain_text("1 done · 4 cancelled")
    page.get_by_test_id("history-button").click()
    row = history_rows(page).first
    expect(row.get_by_test_id("history-run-status")).to_have_text("Cancelled")
    assert api(page, psynapse, f"/runs/{row.get_attribute('data-run-id')}")["status"] == "cancelled"
    page.get_by_test_id("history-button").click()
    shot(page, "item8-after")


PROBE_NODE = """(() => {
    const stream = document.querySelector('[data-testid="node-S1"] [data-testid="node-stream"]');
    const bar = document.querySelector('[data-testid="node-P1"] [data-testid="node-progress"]');
    return [stream ? stream.textContent : null, bar ? Number(bar.dataset.percent) : null, bar ? bar.textContent : null];
})()"""


def test_item9_streamed_text_and_a_progress_percentage_show_on_the_node(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    import_workflow(page, stoppable_graph(), tmp_path)
    start_sampling(page, PROBE_NODE)
    execute(page)
    expect(node(page, "S1").get_by_test_id("node-stream")).to_contain_text("four", timeout=15000)
    expect(node(page, "P1").get_by_test_id("node-progress")).to_contain_text("%")
    shot(page, "item9-after")
    page.get_by_test_id("stop-button").click()
    wait_run_finished(page)
    seen = samples(page)
    texts = [text for text, _, _ in seen if text]
    assert len(set(texts)) >= 3, texts  # the node's text grew word by word
    for before, after in itertools.pairwise(texts):
        assert after.startswith(before.rstrip()), (before, after)
    percents = [percent for _, percent, _ in seen if percent is not None]
    assert len(set(percents)) >= 3 and percents == sorted(percents), percents
    labels = [label for _, percent, label in seen if label]
    assert any(re.match(r"^\d+%Step \d+/100$", label) for label in labels), labels


def test_item12_closing_a_tab_mid_run_logs_no_error(browser, start_psynapse, tmp_path: Path) -> None:
    url = start_psynapse()
    log = tmp_path / "psynapse-0.log"
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    open_editor(tab, url)
    import_workflow(tab, progress_graph(count=30, delay_ms=100), tmp_path)
    run_ids = runs_started(tab)
    execute(tab)
    expect(status_item(tab, "P1")).to_have_attribute("data-status", "progress")
    before = log.stat().st_size
    context.close()  # the tab goes away mid-run, its stream with it
    # The run goes on without it, and ends.
    deadline = time.monotonic() + 20
    while True:
        with_status = json.loads(urlopen(f"{url}/runs/{run_ids[0]}"))
        if with_status["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert with_status["status"] == "done"
    time.sleep(1)
    written = log.read_bytes()[before:].decode(errors="replace")
    assert "Traceback" not in written and "aclose()" not in written, written[-3000:]
    assert not re.search(r'"level":\s*"(error|critical)"|\[error', written), written[-3000:]


def urlopen(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url) as answer:
        return answer.read()
