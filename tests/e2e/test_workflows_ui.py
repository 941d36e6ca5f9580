"""Saved workflows (Save / Save as / Open / versions / Restore), run history
and the cached badge, in the real editor against the real stack."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    confirm,
    dirty_marker,
    execute,
    history_rows,
    import_workflow,
    menu,
    node,
    open_dialog,
    open_editor,
    save_as,
    saved_workflow,
    set_variable,
    status_item,
    view_text,
    wait_run_finished,
    workflow_name,
)
from tests.support.e2e_workflows import edge, function, variable, view

pytestmark = pytest.mark.e2e


def sum_graph(a: str = "5", b: str = "3") -> dict:
    """V1 + V2 -> W: 8 with the defaults."""
    return {
        "nodes": [
            variable("V1", 0, 0, a),
            variable("V2", 0, 240, b),
            function("F1", "add", 320, 100),
            view("W", 640, 120),
        ],
        "edges": [edge("V1", "F1", "a"), edge("V2", "F1", "b"), edge("F1", "W", "input")],
    }


@pytest.fixture
def app(start_psynapse: Callable[..., str]) -> str:
    """The product; PSYNAPSE_E2E_EDITOR_DIR serves an editor built elsewhere than frontend/dist."""
    if os.environ.get("PSYNAPSE_E2E_URL"):
        return os.environ["PSYNAPSE_E2E_URL"]
    editor = os.environ.get("PSYNAPSE_E2E_EDITOR_DIR")
    return start_psynapse(env={"PSYNAPSE_EDITOR_DIR": editor} if editor else None)


def api(page: Page, url: str, path: str) -> dict:
    response = page.request.get(url + path)
    assert response.ok, f"GET {path}: {response.status} {response.text()}"
    return response.json()


def test_save_reload_open_save_again_and_restore(page: Page, app: str, tmp_path: Path) -> None:
    open_editor(page, app)
    import_workflow(page, sum_graph(), tmp_path)
    expect(node(page, "F1")).to_be_visible()
    expect(workflow_name(page)).to_have_text("Untitled")
    expect(dirty_marker(page)).to_be_visible()  # an untitled graph is unsaved work

    # Ctrl+S the first time asks for a name; the name is checked as it is typed.
    page.get_by_test_id("canvas").click(position={"x": 600, "y": 600})
    page.keyboard.press("Control+s")
    dialog = page.get_by_role("dialog", name="Save workflow as")
    field = dialog.get_by_label("Workflow name")
    field.fill("not valid!")
    expect(dialog.get_by_role("alert")).to_contain_text("Only letters")
    field.fill("sums-e2e")
    expect(dialog.get_by_role("alert")).to_have_count(0)
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(workflow_name(page)).to_have_text("sums-e2e")
    expect(page.get_by_test_id("workflow-version")).to_have_text("v1")
    expect(dirty_marker(page)).to_have_count(0)

    saved = api(page, app, "/workflows/sums-e2e")
    assert saved["version"] == 1
    positions = {n["id"]: n["position"] for n in saved["workflow"]["nodes"]}
    assert positions == {
        "V1": {"x": 0, "y": 0},
        "V2": {"x": 0, "y": 240},
        "F1": {"x": 320, "y": 100},
        "W": {"x": 640, "y": 120},
    }

    # After a reload the editor still knows which workflow the canvas is.
    page.reload()
    expect(node(page, "F1")).to_be_visible()
    expect(workflow_name(page)).to_have_text("sums-e2e")
    expect(dirty_marker(page)).to_have_count(0)

    # Clear the canvas (it asks, and leaves the workflow), then open the workflow from the dialog.
    menu(page, "clear-button")
    confirm(page, "Clear")
    expect(node(page, "F1")).to_have_count(0)
    expect(workflow_name(page)).to_have_text("Untitled")
    expect(dirty_marker(page)).to_have_count(0)  # an empty, untitled canvas holds nothing to lose
    dialog = open_dialog(page)
    item = saved_workflow(dialog, "sums-e2e")
    expect(item.get_by_test_id("workflow-versions")).to_have_text("1")
    item.get_by_role("button", name="Open sums-e2e").click()
    expect(dialog).to_be_hidden()
    expect(node(page, "F1")).to_be_visible()
    expect(node(page, "V1").get_by_test_id("variable-value")).to_have_value("5")
    expect(dirty_marker(page)).to_have_count(0)

    # Change it and save again: version 2.
    set_variable(page, "V1", "10")
    expect(dirty_marker(page)).to_be_visible()
    page.get_by_role("button", name="Save workflow", exact=True).click()
    expect(page.get_by_test_id("workflow-version")).to_have_text("v2")
    expect(dirty_marker(page)).to_have_count(0)

    # The dialog lists both versions, newest first; restore version 1.
    dialog = open_dialog(page)
    item = saved_workflow(dialog, "sums-e2e")
    expect(item.get_by_test_id("workflow-versions")).to_have_text("2")
    item.get_by_role("button", name="Show versions of sums-e2e").click()
    versions = dialog.get_by_test_id("version-item")
    expect(versions).to_have_count(2)
    assert [versions.nth(i).get_attribute("data-version") for i in range(2)] == ["2", "1"]
    dialog.get_by_role("button", name="Restore version 1").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("workflow-version")).to_have_text("v3")
    expect(node(page, "V1").get_by_test_id("variable-value")).to_have_value("5")
    expect(dirty_marker(page)).to_have_count(0)
    listed = api(page, app, "/workflows/sums-e2e/versions")
    assert [v["version"] for v in listed["versions"]] == [3, 2, 1]

    # Opening an old version by number.
    dialog = open_dialog(page)
    saved_workflow(dialog, "sums-e2e").get_by_role("button", name="Show versions of sums-e2e").click()
    dialog.get_by_role("button", name="Open version 2").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("workflow-version")).to_have_text("v2")
    expect(node(page, "V1").get_by_test_id("variable-value")).to_have_value("10")


def test_delete_asks_first_and_the_canvas_becomes_untitled(page: Page, app: str, tmp_path: Path) -> None:
    open_editor(page, app)
    import_workflow(page, sum_graph(), tmp_path)
    save_as(page, "to-delete")
    dialog = open_dialog(page)
    saved_workflow(dialog, "to-delete").get_by_role("button", name="Delete to-delete").click()
    confirm(page, "Cancel")
    expect(saved_workflow(dialog, "to-delete")).to_have_count(1)
    saved_workflow(dialog, "to-delete").get_by_role("button", name="Delete to-delete").click()
    confirm(page, "Delete")
    expect(saved_workflow(dialog, "to-delete")).to_have_count(0)
    expect(dialog.get_by_test_id("open-empty")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(workflow_name(page)).to_have_text("Untitled")
    assert page.request.get(app + "/workflows/to-delete").status == 404


def test_history_lists_runs_shows_nodes_and_reruns(page: Page, app: str, tmp_path: Path) -> None:
    open_editor(page, app)
    import_workflow(page, sum_graph(), tmp_path)
    save_as(page, "hist-e2e")
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("8")

    page.get_by_test_id("history-button").click()
    panel = page.get_by_role("complementary", name="Run history")
    expect(panel).to_be_visible()
    rows = history_rows(page)
    expect(rows).to_have_count(1)
    first = rows.first
    expect(first).to_have_attribute("data-status", "done")
    expect(first).to_have_attribute("data-workflow", "hist-e2e")
    expect(first.get_by_test_id("history-run-status")).to_have_text("Done")
    expect(first.get_by_test_id("history-run-nodes")).to_have_text("4 nodes")
    expect(first.get_by_test_id("history-run-duration")).to_have_text(re.compile(r"^\d+(\.\d+)? (ms|s)$"))
    run_id = first.get_attribute("data-run-id")
    assert run_id

    # A reload forgets the run on the canvas; the history brings it back.
    page.reload()
    expect(view_text(page, "W")).to_have_attribute("data-empty", "true")
    page.get_by_test_id("history-button").click()
    page.locator(f'[data-testid="history-run"][data-run-id="{run_id}"]').click()
    detail = page.get_by_test_id("history-detail")
    expect(detail).to_have_attribute("data-on-canvas", "true")
    cards = detail.get_by_test_id("status-item")
    expect(cards).to_have_count(4)
    for node_id in ("V1", "V2", "F1", "W"):
        expect(detail.locator(f'[data-testid="status-item"][data-node-id="{node_id}"]')).to_have_attribute(
            "data-status", "completed"
        )
    expect(
        detail.locator('[data-testid="status-item"][data-node-id="F1"]').get_by_test_id("status-output")
    ).to_have_text("8")
    expect(view_text(page, "W")).to_have_text("8")  # its view value, on the canvas

    # Re-run: the run's graph, which is the open graph, runs again and the list grows by itself.
    detail.get_by_test_id("rerun-button").click()
    expect(rows).to_have_count(2)  # the list grows once the new run has ended
    assert wait_run_finished(page) == "done"
    expect(rows.first).to_have_attribute("data-status", "done")
    assert rows.first.get_attribute("data-run-id") != run_id

    # A run of another saved workflow: Re-run runs that run's own graph (1 + 3 was 5 + 3 then),
    # recorded under its workflow, and leaves the canvas alone; Open in editor loads it.
    save_as(page, "hist-e2e-copy")
    set_variable(page, "V1", "1")
    page.get_by_role("button", name="Save workflow", exact=True).click()
    expect(page.get_by_test_id("workflow-version")).to_have_text("v2")
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("4")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-workflow", "hist-e2e-copy")
    page.locator(f'[data-testid="history-run"][data-run-id="{run_id}"]').click()
    expect(detail).to_have_attribute("data-on-canvas", "false")
    detail.get_by_test_id("rerun-button").click()
    expect(page.get_by_test_id("detached-run")).to_be_visible()
    expect(rows).to_have_count(4)
    assert wait_run_finished(page) == "done"
    expect(
        page.get_by_test_id("status-panel")
        .locator('[data-testid="status-item"][data-node-id="W"]')
        .get_by_test_id("status-output")
    ).to_have_text("8")
    expect(workflow_name(page)).to_have_text("hist-e2e-copy")
    expect(view_text(page, "W")).to_have_attribute("data-empty", "true")  # not painted with another graph's run
    expect(rows.first).to_have_attribute("data-workflow", "hist-e2e")
    page.locator(f'[data-testid="history-run"][data-run-id="{run_id}"]').click()
    detail.get_by_test_id("open-run-button").click()
    expect(workflow_name(page)).to_have_text("hist-e2e")
    expect(node(page, "V1").get_by_test_id("variable-value")).to_have_value("5")
    expect(view_text(page, "W")).to_have_text("8")

    # Only the open workflow's runs.
    panel.get_by_role("checkbox", name=re.compile("Only runs of")).check()
    expect(rows).to_have_count(3)
    for i in range(3):
        expect(rows.nth(i)).to_have_attribute("data-workflow", "hist-e2e")


def test_second_run_of_the_same_graph_shows_cached_badges(page: Page, app: str, tmp_path: Path) -> None:
    open_editor(page, app)
    import_workflow(page, sum_graph(), tmp_path)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(node(page, "F1").get_by_test_id("cached-badge")).to_have_count(0)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("8")
    expect(node(page, "F1").get_by_test_id("cached-badge")).to_be_visible()
    expect(status_item(page, "F1").get_by_test_id("cached-badge")).to_be_visible()
    # the server's record of the run says so too
    latest = api(page, app, "/runs?limit=1")["runs"][0]
    assert api(page, app, f"/runs/{latest['run_id']}")["nodes"]["F1"]["cached"] is True
