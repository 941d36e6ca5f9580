"""Live feedback while a run goes: progress bars, streamed text, Stop."""

from __future__ import annotations

import itertools
import json
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    execute,
    import_workflow,
    node,
    open_editor,
    requests_sent,
    runs_started,
    samples,
    start_sampling,
    status_item,
    view_text,
    wait_run_finished,
)
from tests.support.e2e_workflows import progress_graph, stream_graph

pytestmark = pytest.mark.e2e

PROBE_PROGRESS = """(() => {
    const card = document.querySelector('[data-testid="status-item"][data-node-id="P1"]');
    if (!card) return null;
    const bar = card.querySelector('[data-testid="status-progress"]');
    const node = document.querySelector('[data-testid="node-P1"]');
    return [card.dataset.status, bar ? Number(bar.dataset.percent) : null, node.dataset.status];
})()"""


def test_progress_bar_advances_before_completion(page: Page, psynapse: str, tmp_path) -> None:
    open_editor(page, psynapse)
    import_workflow(page, progress_graph(count=10, delay_ms=150), tmp_path)
    start_sampling(page, PROBE_PROGRESS)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W1")).to_have_text("10")
    seen = [s for s in samples(page) if s]
    progress = [percent for status, percent, _ in seen if status == "progress" and percent is not None]
    # The bar moved through several values before the node completed ...
    assert len(set(progress)) >= 3, seen
    assert progress == sorted(progress), progress
    assert max(progress) <= 100 and min(progress) < 100
    first_completed = next(i for i, s in enumerate(seen) if s[0] == "completed")
    assert all(s[0] != "completed" for s in seen[:first_completed])
    assert any(s[0] == "progress" for s in seen[:first_completed])
    # ... and the canvas node showed it on its border too.
    assert any(s[2] == "progress" for s in seen), seen
    assert seen[-1][0] == "completed"


PROBE_STREAM = """(() => {
    const card = document.querySelector('[data-testid="status-item"][data-node-id="S1"]');
    const text = card && card.querySelector('[data-testid="status-stream"]');
    return card ? [card.dataset.status, text ? text.textContent : null] : null;
})()"""


def test_stream_text_grows_chunk_by_chunk(page: Page, psynapse: str, tmp_path) -> None:
    words = "the quick brown fox jumps over the lazy dog"
    open_editor(page, psynapse)
    import_workflow(page, stream_graph(words, delay_ms=120), tmp_path)
    start_sampling(page, PROBE_STREAM)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W1")).to_have_text(words)
    texts = [text for status, text in (s for s in samples(page) if s) if status == "streaming" and text]
    # Several intermediate states, each a longer prefix of the last.
    assert len(texts) >= 4, texts
    for before, after in itertools.pairwise(texts):
        assert after.startswith(before) and len(after) > len(before), (before, after)
    assert words.startswith(texts[0].strip()) and len(texts[0]) < len(words)


def test_stop_cancels_the_run_on_the_server(page: Page, psynapse: str, tmp_path) -> None:
    open_editor(page, psynapse)
    import_workflow(page, progress_graph(count=300, delay_ms=100), tmp_path)  # 30 s if left alone
    run_ids = runs_started(page)
    execute(page)
    expect(status_item(page, "P1")).to_have_attribute("data-status", "progress")
    stop = page.get_by_test_id("stop-button")
    expect(stop).to_be_enabled()
    started = time.monotonic()
    cancel = requests_sent(page, lambda r: "/cancel" in r.url, lambda r: r.url)
    stop.click()
    assert wait_run_finished(page, timeout=15000) == "cancelled"
    took = time.monotonic() - started
    assert took < 10, took
    assert run_ids and run_ids[0], "no X-Run-Id header"
    assert cancel == [f"{psynapse}/runs/{run_ids[0]}/cancel"]
    # The server agrees that the run is over, and not by finishing it.
    deadline = time.monotonic() + 10
    while True:
        with urllib.request.urlopen(f"{psynapse}/runs/{run_ids[0]}") as response:
            record = json.loads(response.read())
        if record["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert record["status"] == "cancelled", record
    # Stopped on purpose: cancelled, not failed.
    expect(status_item(page, "P1")).to_have_attribute("data-status", "cancelled")
    expect(node(page, "P1")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_test_id("execute-button")).to_be_enabled()


SCROLL = (
    "(() => { const l = document.querySelector('.psy-status__list');"
    " return [l.scrollTop, l.scrollHeight - l.clientHeight]; })()"
)


def test_status_panel_follows_the_newest_card_unless_scrolled_up(page: Page, psynapse: str, tmp_path) -> None:
    from tests.support.e2e_workflows import many_progress_graph

    open_editor(page, psynapse)
    import_workflow(page, many_progress_graph(14, 30, delay_ms=60), tmp_path)
    execute(page)
    assert wait_run_finished(page) == "done"
    top, bottom = page.evaluate(SCROLL)
    assert bottom > 0 and abs(top - bottom) <= 2, (top, bottom)  # followed to the end

    # Other inputs, so the output cache cannot answer the second run at once.
    import_workflow(page, many_progress_graph(14, 30, delay_ms=61), tmp_path)
    execute(page)  # a new run clears the panel and follows again ...
    expect(page.get_by_test_id("status-item")).to_have_count(14, timeout=10000)
    page.locator(".psy-status__list").evaluate("el => el.scrollTo(0, 0)")
    page.locator(".psy-status__list").dispatch_event("scroll")
    assert page.get_by_test_id("status-panel").get_attribute("data-phase") == "running"
    assert wait_run_finished(page) == "done"
    top, bottom = page.evaluate(SCROLL)
    assert top == 0 and bottom > 0, (top, bottom)  # ... until the user scrolls up
