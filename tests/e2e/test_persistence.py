"""What survives a reload: the canvas, and a run that is still going."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    connect,
    drag_to_canvas,
    execute,
    expect_edges,
    import_workflow,
    node,
    open_editor,
    set_variable,
    status_item,
    view_text,
    wait_run_finished,
)
from tests.support.e2e_workflows import progress_graph

pytestmark = pytest.mark.e2e


def test_reload_restores_the_canvas(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 150)
    drag_to_canvas(page, "upper", 460, 150)
    set_variable(page, "variable_1", "hello psynapse")
    connect(page, "variable_1", "upper_1", "text")
    box_before = node(page, "upper_1").bounding_box()
    page.wait_for_timeout(400)  # autosave is debounced
    page.reload()
    expect(node(page, "variable_1")).to_be_visible()
    expect(node(page, "upper_1")).to_be_visible()
    expect(node(page, "variable_1").get_by_test_id("variable-value")).to_have_value("hello psynapse")
    expect_edges(page, 1)
    box_after = node(page, "upper_1").bounding_box()
    assert box_before and box_after
    saved = json.loads(page.evaluate("localStorage.getItem('psynapse.workflow')"))
    assert {n["id"] for n in saved["nodes"]} == {"variable_1", "upper_1"}
    assert saved["edges"][0]["targetHandle"] == "text"
    # and the restored graph still runs
    drag_to_canvas(page, "View", 200, 420)
    connect(page, "upper_1", "view_1", "input")
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "view_1")).to_have_text("HELLO PSYNAPSE")


def test_reload_during_a_run_reattaches_to_it(page: Page, psynapse: str, tmp_path) -> None:
    open_editor(page, psynapse)
    import_workflow(page, progress_graph(count=40, delay_ms=100), tmp_path)  # about 4 s
    execute(page)
    expect(status_item(page, "P1")).to_have_attribute("data-status", "progress")
    run_id = page.evaluate("localStorage.getItem('psynapse.currentRun')")
    assert run_id
    page.reload()
    # The status panel is rebuilt from the run's events and follows it to the end.
    expect(status_item(page, "P1")).to_be_visible(timeout=10000)
    assert page.get_by_test_id("status-panel").get_attribute("data-phase") in ("running", "done")
    assert wait_run_finished(page, timeout=20000) == "done"
    expect(view_text(page, "W1")).to_have_text("40")
    expect(status_item(page, "P1")).to_have_attribute("data-status", "completed")
    assert page.evaluate("localStorage.getItem('psynapse.currentRun')") is None
