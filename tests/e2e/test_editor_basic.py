"""Building and running graphs by hand, as a person would."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e_helpers import connect, drag_to_canvas, edge_count, execute, node, open_editor, set_variable, view_text, wait_run_finished

pytestmark = pytest.mark.e2e


def test_drag_connect_execute_add(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 120, 120)
    drag_to_canvas(page, "Variable", 120, 400)
    drag_to_canvas(page, "add", 450, 250)
    drag_to_canvas(page, "View", 760, 250)
    for node_id in ("variable_1", "variable_2", "add_1", "view_1"):
        expect(node(page, node_id)).to_be_visible()
    set_variable(page, "variable_1", "5", kind="Number")
    set_variable(page, "variable_2", "3", kind="Number")
    connect(page, "variable_1", "add_1", "a")
    connect(page, "variable_2", "add_1", "b")
    connect(page, "add_1", "view_1", "input")
    assert edge_count(page) == 3
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "view_1")).to_have_text("8")
    expect(page.locator('[data-testid="status-item"][data-node-id="add_1"]')).to_have_attribute("data-status", "completed")
    expect(node(page, "add_1")).to_have_attribute("data-status", "completed")
