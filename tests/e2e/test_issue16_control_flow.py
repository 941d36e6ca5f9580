"""Issue 16, control flow in the editor: an If built by hand skips the branch it does not
take (on the canvas, in the status panel, a view there null); a selection grouped into a
subgraph runs to the same results, opens into its workflow and comes back by the
breadcrumb; a Map over a list of sleeps shows its items done of all as they finish."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.support.e2e import (
    connect,
    drag_to_canvas,
    execute,
    expect_edges,
    handle,
    import_workflow,
    node,
    open_editor,
    samples,
    save_as,
    set_variable,
    shot,
    start_sampling,
    status_item,
    view_text,
    wait_run_finished,
    workflow_name,
)
from tests.support.e2e_workflows import edge, function, variable, view
from tests.support.stack import copy_packs

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "issue-16"
WIDE: ViewportSize = {"width": 1680, "height": 960}


@pytest.fixture
def url(start_psynapse: Callable[..., str], tmp_path: Path) -> str:
    """The product with the test pack (sleeps) beside the repo's packs."""
    return start_psynapse(nodepacks_dir=copy_packs(tmp_path / "packs", "testpack", "basic", "examples"))


def api(page: Page, url: str, path: str) -> dict:
    answer = page.request.get(url + path)
    assert answer.ok, f"GET {path}: {answer.status} {answer.text()}"
    return answer.json()


def test_an_if_built_by_hand_skips_the_branch_it_does_not_take(page: Page, url: str) -> None:
    page.set_viewport_size(WIDE)  # room for the graph at 100%, so every handle is on screen
    open_editor(page, url)
    drag_to_canvas(page, "Variable", 110, 70)
    drag_to_canvas(page, "Variable", 110, 360)
    drag_to_canvas(page, "If", 360, 200)
    drag_to_canvas(page, "add", 600, 40)
    drag_to_canvas(page, "View", 600, 330)
    drag_to_canvas(page, "View", 600, 560)
    node(page, "variable_1").get_by_test_id("variable-type").select_option("Boolean")  # unchecked: false
    set_variable(page, "variable_2", "20", kind="Number")
    page.get_by_test_id("param-add_1-b").fill("1")
    expect(node(page, "if_1")).to_contain_text("condition")
    connect(page, "variable_1", "if_1", "condition")
    connect(page, "variable_2", "if_1", "value")
    connect(page, "if_1", "add_1", "a", source_handle="true")
    connect(page, "add_1", "view_1", "input")
    connect(page, "if_1", "view_2", "input", source_handle="false")
    expect_edges(page, 5)
    execute(page)
    assert wait_run_finished(page) == "done"
    # The branch not taken: drawn skipped, said so in its card, its view null; the run is done.
    for skipped in ("add_1", "view_1"):
        expect(node(page, skipped)).to_have_attribute("data-status", "skipped")
        expect(status_item(page, skipped)).to_have_attribute("data-status", "skipped")
        expect(status_item(page, skipped).get_by_test_id("status-not-run")).to_have_text(
            "Skipped: on a branch not taken"
        )
    expect(node(page, "add_1").get_by_test_id("node-not-run")).to_have_text("Skipped: on a branch not taken")
    expect(view_text(page, "view_1")).to_have_text("null")
    expect(node(page, "view_1").get_by_test_id("view-untaken")).to_be_visible()
    expect(view_text(page, "view_2")).to_have_text("20")
    expect(node(page, "if_1")).to_have_attribute("data-status", "completed")
    expect(page.get_by_test_id("run-summary")).to_contain_text("6 nodes · 4 done · 2 skipped")
    expect(page.get_by_test_id("run-phase")).to_have_text("Done")
    shot(page, "if-skipped-branch", SHOTS)
    # The gateway says the same: the view null in the results, the nodes skipped in the history.
    record = api(page, url, f"/runs/{history_first(page, url)}")
    assert record["status"] == "done"
    assert record["results"]["view_1"] is None and record["results"]["view_2"] == 20
    assert record["nodes"]["add_1"]["status"] == "skipped"
    # Reopened from History, the skipped nodes are still drawn skipped.
    page.get_by_test_id("history-button").click()
    page.get_by_test_id("history-run").first.click()
    detail = page.get_by_test_id("history-detail")
    expect(detail.locator('[data-testid="status-item"][data-node-id="add_1"]')).to_have_attribute(
        "data-status", "skipped"
    )


def history_first(page: Page, url: str) -> str:
    return api(page, url, "/runs?limit=1")["runs"][0]["run_id"]


def sums_graph() -> dict:
    """(A + B) * 2 into W, A + B into W2."""
    return {
        "nodes": [
            variable("A", 0, 0, "5"),
            variable("B", 0, 260, "3"),
            function("F1", "add", 300, 60),
            function("F2", "multiply", 600, 0, b=2),
            view("W", 900, 0),
            view("W2", 900, 300),
        ],
        "edges": [
            edge("A", "F1", "a"),
            edge("B", "F1", "b"),
            edge("F1", "F2", "a"),
            edge("F2", "W", "input"),
            edge("F1", "W2", "input"),
        ],
    }


def test_a_selection_grouped_into_a_subgraph_runs_the_same_and_opens_and_comes_back(
    page: Page, url: str, tmp_path: Path
) -> None:
    open_editor(page, url)
    import_workflow(page, sums_graph(), tmp_path)
    save_as(page, "main")
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("16")
    expect(view_text(page, "W2")).to_have_text("8")
    before = api(page, url, f"/runs/{history_first(page, url)}")["results"]
    # Select the two functions, and group them from the right-click menu.
    node(page, "F1").locator(".psy-node__header").click()
    node(page, "F2").locator(".psy-node__header").click(modifiers=["Control"])
    expect(page.locator(".react-flow__node.selected")).to_have_count(2)
    shot(page, "group-selection-before", SHOTS)
    node(page, "F2").locator(".psy-node__header").click(button="right")
    page.get_by_test_id("context-edit-group").click()
    dialog = page.get_by_role("dialog", name="Group into subgraph")
    expect(dialog.get_by_test_id("group-summary")).to_have_text(
        "2 nodes become one Subgraph node. Inputs: a, b. Outputs: F2, F1."
    )
    dialog.get_by_test_id("group-name-input").fill("sum_twice")
    dialog.get_by_test_id("group-submit").click()
    expect(dialog).to_be_hidden()
    subgraph = node(page, "subgraph_1")
    expect(subgraph).to_be_visible()
    expect(node(page, "F1")).to_have_count(0)
    # Its handles are the new workflow's inputs and outputs, typed; wired as the selection was.
    for port, kind in (("a", "target"), ("b", "target"), ("F2", "source"), ("F1", "source")):
        expect(handle(page, "subgraph_1", port, kind)).to_be_visible()
    expect(subgraph.locator('[data-testid="subgraph-input"][data-port="a"]')).to_contain_text("float")
    expect_edges(page, 4)
    saved = api(page, url, "/workflows/sum_twice")["workflow"]
    assert sorted(n["data"].get("variableName") or n["data"].get("viewName") or n["id"] for n in saved["nodes"]) == [
        "F1",
        "F1",
        "F2",
        "F2",
        "a",
        "b",
    ]
    # Execute first fetches the subgraph's workflow: the last run's "done" stays until the run starts.
    with page.expect_request(lambda request: request.url.endswith("/execute/stream")):
        execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("16")
    expect(view_text(page, "W2")).to_have_text("8")
    assert api(page, url, f"/runs/{history_first(page, url)}")["results"] == before
    expect(subgraph).to_have_attribute("data-status", "completed")
    expect(status_item(page, "subgraph_1").get_by_test_id("status-inner-summary")).to_have_text("6 inside · 6 done")
    shot(page, "group-selection-after", SHOTS)

    # Open it: its workflow on the canvas, as itself, with what the run did inside.
    subgraph.get_by_test_id("open-subgraph").click()
    crumbs = page.get_by_test_id("breadcrumb")
    expect(crumbs).to_have_text(re.compile(r"main\s*›\s*sum_twice"))
    expect(workflow_name(page)).to_have_text("sum_twice")
    expect(node(page, "F1")).to_be_visible()
    expect(node(page, "F2")).to_have_attribute("data-status", "completed")
    expect(page.locator(".react-flow__node")).to_have_count(6)
    shot(page, "subgraph-opened", SHOTS)
    # Back by the breadcrumb: the outer canvas as it was left.
    crumbs.get_by_test_id("breadcrumb-item").filter(has_text="main").click()
    expect(crumbs).to_be_hidden()
    expect(workflow_name(page)).to_have_text("main")
    expect(subgraph).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(5)
    expect(view_text(page, "W")).to_have_text("16")
    expect_edges(page, 4)


def sleepy_workflow() -> dict:
    """One item: x, after a sleep, as output `result`."""
    named = variable("x", 0, 0, "0")
    named["data"]["variableName"] = "x"
    out = view("out", 600, 0)
    out["data"]["viewName"] = "result"
    return {
        "nodes": [named, function("sleep", "slow_identity", 300, 0, ms=250), out],
        "edges": [edge("x", "sleep", "x"), edge("sleep", "out", "input")],
    }


PROBE_MAP = """(() => {
    const bar = document.querySelector('[data-testid="node-map_1"] [data-testid="node-progress"]');
    return bar ? bar.textContent : null;
})()"""


def test_a_map_over_a_list_shows_its_items_done_as_they_finish(page: Page, url: str) -> None:
    answer = page.request.put(
        url + "/workflows/sleepy", data=json.dumps(sleepy_workflow()), headers={"Content-Type": "application/json"}
    )
    assert answer.ok, answer.text()
    page.set_viewport_size(WIDE)
    open_editor(page, url)
    drag_to_canvas(page, "Variable", 110, 120)
    drag_to_canvas(page, "Map", 380, 120)
    drag_to_canvas(page, "View", 660, 120)
    set_variable(page, "variable_1", json.dumps(list(range(1, 13))), kind="List")
    mapping = node(page, "map_1")
    mapping.get_by_test_id("subgraph-workflow").select_option("sleepy")
    expect(mapping.get_by_test_id("map-item-input")).to_have_value("x")  # its one input
    mapping.get_by_test_id("map-concurrency").fill("3")
    expect(mapping.locator('[data-testid="subgraph-input"][data-port="items"]')).to_be_visible()
    connect(page, "variable_1", "map_1", "items")
    connect(page, "map_1", "view_1", "input")
    expect_edges(page, 2)
    start_sampling(page, PROBE_MAP)
    execute(page)
    expect(mapping.get_by_test_id("node-progress")).to_contain_text("/12 items", timeout=15000)
    shot(page, "map-progress", SHOTS)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "view_1")).to_have_text(re.compile(r"^\[\s*1,\s*2,.*12\s*\]$", re.S))
    expect(status_item(page, "map_1").get_by_test_id("status-progress")).to_have_text("100%12/12 items")
    expect(status_item(page, "map_1").get_by_test_id("status-inner-summary")).to_have_text("36 inside · 36 done")
    shot(page, "map-done", SHOTS)
    # The node showed its items done of all as they finished, in order.
    seen = [m.group(1) for text in samples(page) if text and (m := re.search(r"(\d+)/12 items", text))]
    counts = [int(n) for n in seen]
    assert len(set(counts)) >= 3 and counts == sorted(counts), seen
