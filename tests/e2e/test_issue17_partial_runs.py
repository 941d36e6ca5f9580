"""Issue 17, partial runs as a user makes them: *Run to here* on a node's menu (and Shift +
Enter on the node under the pointer) runs that node and what it needs, nothing after it;
*Run selected* (the menu, Ctrl + Shift + Enter) runs the selection, and the nodes it leaves
out keep what the last run showed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    execute,
    import_workflow,
    node,
    open_editor,
    requests_sent,
    set_variable,
    view_text,
    wait_run_finished,
)
from tests.support.e2e_workflows import edge, function, variable, view

pytestmark = pytest.mark.e2e


def two_branches() -> dict:
    """V1 + V2 -> F1 -> W1, F1 * V3 -> F3 -> W2, and beside them V4 -> W3."""
    return {
        "nodes": [
            variable("V1", 0, 0, "5"),
            variable("V2", 0, 240, "3"),
            function("F1", "add", 320, 100),
            view("W1", 640, 0),
            variable("V3", 320, 400, "2"),
            function("F3", "multiply", 640, 260),
            view("W2", 960, 280),
            variable("V4", 640, 560, "10"),
            view("W3", 960, 560),
        ],
        "edges": [
            edge("V1", "F1", "a"),
            edge("V2", "F1", "b"),
            edge("F1", "W1", "input"),
            edge("F1", "F3", "a"),
            edge("V3", "F3", "b"),
            edge("F3", "W2", "input"),
            edge("V4", "W3", "input"),
        ],
    }


def header(page: Page, node_id: str):
    return node(page, node_id).locator(".psy-node__header")


def cards(page: Page) -> list[str]:
    items = page.get_by_test_id("status-panel").locator('[data-testid="status-item"]')
    return sorted(items.evaluate_all("els => els.map(e => e.dataset.nodeId)"))


def last_run(page: Page, url: str) -> dict:
    runs = page.request.get(url + "/runs?limit=1").json()["runs"]
    detail = page.request.get(f"{url}/runs/{runs[0]['run_id']}")
    assert detail.ok, detail.text()
    return detail.json()


def sent_bodies(page: Page) -> list[dict]:
    return requests_sent(page, lambda r: r.url.endswith("/execute/stream"), lambda r: json.loads(r.post_data or "{}"))


def test_run_to_here_runs_the_node_and_what_it_needs_and_nothing_after_it(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    import_workflow(page, two_branches(), tmp_path)
    sent = sent_bodies(page)
    header(page, "F1").click(button="right")
    menu = page.get_by_test_id("context-menu")
    expect(menu).to_have_attribute("data-node-id", "F1")
    expect(menu.get_by_test_id("run-to-here")).to_contain_text("Shift + Enter")
    menu.get_by_test_id("run-to-here").click()
    expect(menu).to_be_hidden()
    assert wait_run_finished(page) == "done"
    assert sent[0]["targets"] == ["F1"] and len(sent[0]["nodes"]) == 9
    for ran in ("V1", "V2", "F1"):
        expect(node(page, ran)).to_have_attribute("data-status", "completed")
    # The view after F1 and everything beside it were not run: still empty, still idle.
    expect(view_text(page, "W1")).to_have_attribute("data-empty", "true")
    for idle in ("W1", "F3", "V3", "W2", "V4", "W3"):
        expect(node(page, idle)).to_have_attribute("data-status", "idle")
    expect(page.get_by_test_id("partial-run")).to_contain_text("Partial run to F1: 3 nodes")
    assert cards(page) == ["F1", "V1", "V2"]
    record = last_run(page, psynapse)
    assert sorted(record["nodes"]) == ["F1", "V1", "V2"] and record["results"] == {}

    # Shift + Enter runs to the node under the pointer: F3 and its ancestors; W2 stays empty.
    header(page, "F3").hover()
    page.keyboard.press("Shift+Enter")
    expect(page.get_by_test_id("partial-run")).to_contain_text("Partial run to F3: 5 nodes")
    assert wait_run_finished(page) == "done"
    assert sent[1]["targets"] == ["F3"]
    expect(node(page, "F3")).to_have_attribute("data-status", "completed")
    expect(view_text(page, "W2")).to_have_attribute("data-empty", "true")
    expect(node(page, "W2")).to_have_attribute("data-status", "idle")
    assert cards(page) == ["F1", "F3", "V1", "V2", "V3"]
    assert sorted(last_run(page, psynapse)["nodes"]) == ["F1", "F3", "V1", "V2", "V3"]


def test_run_selected_runs_the_selection_and_leaves_the_rest_as_the_last_run_showed_it(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    import_workflow(page, two_branches(), tmp_path)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W1")).to_have_text("8")
    expect(view_text(page, "W2")).to_have_text("16")
    expect(view_text(page, "W3")).to_have_text("10")
    set_variable(page, "V1", "6")
    set_variable(page, "V4", "11")
    sent = sent_bodies(page)
    # Select W2 and W3, then run them from W2's menu.
    header(page, "W2").click()
    header(page, "W3").click(modifiers=["Control"])
    header(page, "W2").click(button="right")
    run_selected = page.get_by_test_id("context-menu").get_by_test_id("run-selected")
    expect(run_selected).to_have_text("Run selected (2)Ctrl/⌘ + Shift + Enter")
    run_selected.click()
    assert wait_run_finished(page) == "done"
    assert sorted(sent[0]["targets"]) == ["W2", "W3"]
    expect(view_text(page, "W2")).to_have_text("18")
    expect(view_text(page, "W3")).to_have_text("11")
    # W1 was not in the run: it still shows what the full run left (the new sum is 9).
    expect(view_text(page, "W1")).to_have_text("8")
    expect(node(page, "W1")).to_have_attribute("data-status", "completed")
    expect(page.get_by_test_id("partial-run")).to_contain_text("Partial run to W2, W3: 8 nodes")
    assert cards(page) == ["F1", "F3", "V1", "V2", "V3", "V4", "W2", "W3"]
    expect(page.get_by_test_id("run-summary")).to_contain_text("8 nodes · 8 done")

    # Ctrl + Shift + Enter runs the selection: W1 alone now, so it catches up.
    # (The clicked node has the focus, where React Flow's own Enter would unselect it.)
    header(page, "W1").click()
    page.keyboard.press("Control+Shift+Enter")
    expect(page.get_by_test_id("partial-run")).to_contain_text("Partial run to W1")
    assert wait_run_finished(page) == "done"
    assert sent[1]["targets"] == ["W1"]
    expect(view_text(page, "W1")).to_have_text("9")
    expect(view_text(page, "W2")).to_have_text("18")
    assert sorted(last_run(page, psynapse)["nodes"]) == ["F1", "V1", "V2", "W1"]
    # The help lists both shortcuts.
    page.keyboard.press("?")
    help_dialog = page.get_by_test_id("help-dialog")
    expect(help_dialog).to_contain_text("Run to here")
    expect(help_dialog).to_contain_text("Run selected")
