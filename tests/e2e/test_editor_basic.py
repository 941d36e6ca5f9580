"""Building and running graphs by hand, as a person would."""

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
from tests.support.e2e_workflows import example_graph

pytestmark = pytest.mark.e2e


def test_drag_connect_execute_add(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 100)
    drag_to_canvas(page, "Variable", 150, 380)
    drag_to_canvas(page, "add", 430, 240)
    drag_to_canvas(page, "View", 660, 240)
    for node_id in ("variable_1", "variable_2", "add_1", "view_1"):
        expect(node(page, node_id)).to_be_visible()
    set_variable(page, "variable_1", "5", kind="Number")
    set_variable(page, "variable_2", "3", kind="Number")
    connect(page, "variable_1", "add_1", "a")
    connect(page, "variable_2", "add_1", "b")
    connect(page, "add_1", "view_1", "input")
    expect_edges(page, 3)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "view_1")).to_have_text("8")
    expect(status_item(page, "add_1")).to_have_attribute("data-status", "completed")
    expect(node(page, "add_1")).to_have_attribute("data-status", "completed")


def test_example_graph_gives_48(page: Page, psynapse: str, tmp_path) -> None:
    open_editor(page, psynapse)
    import_workflow(page, example_graph(), tmp_path)
    expect(page.locator(".react-flow__node")).to_have_count(9)
    expect_edges(page, 9)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "View")).to_have_text("48")
    # every node ran, in an order that respects the wires
    items = page.get_by_test_id("status-item")
    expect(items).to_have_count(9)
    order = [items.nth(i).get_attribute("data-node-id") for i in range(9)]
    assert order.index("F1") < order.index("F3") and order.index("F2") < order.index("F3")
    assert order.index("F3") < order.index("View")
    list_card = status_item(page, "L1")
    expect(list_card).to_have_attribute("data-status", "completed")
    assert json.loads(list_card.get_by_test_id("status-output").inner_text()) == [8, 6]


def test_failing_node_turns_red(page: Page, psynapse: str, tmp_path) -> None:
    from tests.support.e2e_workflows import divide_by_zero_graph

    open_editor(page, psynapse)
    import_workflow(page, divide_by_zero_graph(), tmp_path)
    execute(page)
    wait_run_finished(page)
    card = status_item(page, "D1")
    expect(card).to_have_attribute("data-status", "error")
    expect(card.get_by_test_id("status-error")).to_contain_text("division by zero")
    expect(node(page, "D1")).to_have_attribute("data-status", "error")
    # the border turns the status red (#ef4444) once its transition ends
    page.wait_for_function(
        """() => getComputedStyle(document.querySelector('[data-testid="node-D1"]'))
                 .borderTopColor === 'rgb(239, 68, 68)'"""
    )
