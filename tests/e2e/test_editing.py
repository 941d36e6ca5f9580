"""Editing: typed wires, validation, shortcuts, quick-add, files, settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    confirm,
    connect,
    drag_to_canvas,
    edge_count,
    execute,
    expect_edges,
    import_workflow,
    library_item,
    menu,
    node,
    open_editor,
    requests_sent,
    set_variable,
)
from tests.support.e2e_workflows import example_graph

pytestmark = pytest.mark.e2e


def test_wrong_typed_wire_is_refused_with_the_reason(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 150)  # String by default
    drag_to_canvas(page, "int_add", 470, 150)
    connect(page, "variable_1", "int_add_1", "a")
    assert edge_count(page) == 0
    expect(page.get_by_test_id("toast").filter(has_text="Type mismatch")).to_be_visible()
    expect(page.get_by_test_id("toast").filter(has_text="str output cannot feed int")).to_be_visible()
    # a Number variable gives a float: still refused by int, accepted by float
    set_variable(page, "variable_1", "4", kind="Number")
    connect(page, "variable_1", "int_add_1", "a")
    assert edge_count(page) == 0
    drag_to_canvas(page, "add", 470, 420)
    connect(page, "variable_1", "add_1", "a")
    expect_edges(page, 1)


def test_unconnected_required_inputs_block_the_run(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "add", 300, 200)
    posted = requests_sent(page, lambda r: "/execute" in r.url, lambda r: r.url)
    execute(page)
    issues = page.get_by_test_id("run-issues")
    expect(issues).to_contain_text("input 'a' is not connected")
    expect(issues).to_contain_text("input 'b' is not connected")
    assert "is-invalid" in (node(page, "add_1").get_attribute("class") or "")
    page.wait_for_timeout(300)
    assert posted == []
    # filling the inputs in the node makes it runnable
    page.get_by_test_id("param-add_1-a").fill("2")
    page.get_by_test_id("param-add_1-b").fill("3")
    execute(page)
    expect(page.locator('[data-testid="status-item"][data-node-id="add_1"]')).to_have_attribute(
        "data-status", "completed"
    )


def test_undo_redo_copy_paste_duplicate_delete(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "multiply", 300, 200)
    nodes = page.locator(".react-flow__node")
    expect(nodes).to_have_count(1)
    node(page, "multiply_1").locator(".psy-node__header").click()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(nodes).to_have_count(2)
    page.keyboard.press("Control+d")
    expect(nodes).to_have_count(3)
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(2)
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(3)
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    expect(nodes).to_have_count(2)
    page.get_by_test_id("undo-button").click()
    page.get_by_test_id("undo-button").click()
    expect(nodes).to_have_count(0)
    expect(page.get_by_test_id("canvas-empty")).to_be_visible()
    page.get_by_test_id("redo-button").click()
    expect(nodes).to_have_count(1)


def test_quick_add_and_help(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    page.get_by_test_id("canvas").dblclick(position={"x": 300, "y": 300})
    expect(page.get_by_test_id("quick-add")).to_be_visible()
    page.get_by_test_id("quick-add-input").fill("mult")
    page.keyboard.press("Enter")
    expect(node(page, "multiply_1")).to_be_visible()
    page.locator(".react-flow__pane").click(position={"x": 50, "y": 50})
    page.keyboard.press("/")
    page.get_by_test_id("quick-add-input").fill("view")
    page.keyboard.press("Enter")
    expect(node(page, "view_1")).to_be_visible()
    page.locator(".react-flow__pane").click(position={"x": 50, "y": 50})
    page.keyboard.press("?")
    help_dialog = page.get_by_test_id("help-dialog")
    expect(help_dialog).to_contain_text("Undo")
    expect(help_dialog).to_contain_text("Quick-add")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_export_then_import_round_trip(page: Page, psynapse: str, tmp_path) -> None:
    open_editor(page, psynapse)
    import_workflow(page, example_graph(), tmp_path)
    expect(page.locator(".react-flow__node")).to_have_count(9)
    page.get_by_test_id("more-button").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-button").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert {n["id"] for n in exported["nodes"]} == {n["id"] for n in example_graph()["nodes"]}
    assert all("position" in n for n in exported["nodes"])
    assert {(e["source"], e["target"], e["sourceHandle"], e["targetHandle"]) for e in exported["edges"]} == {
        (e["source"], e["target"], e["sourceHandle"], e["targetHandle"]) for e in example_graph()["edges"]
    }
    menu(page, "clear-button")
    confirm(page, "Clear")
    expect(page.locator(".react-flow__node")).to_have_count(0)
    import_workflow(page, exported, tmp_path, name="exported.json")
    expect(page.locator(".react-flow__node")).to_have_count(9)
    # a broken file is refused with a message, the canvas stays
    (tmp_path / "bad.json").write_text('{"nodes": 3}')
    page.get_by_test_id("import-input").set_input_files(str(tmp_path / "bad.json"))
    expect(page.get_by_test_id("toast").filter(has_text="Import failed")).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(9)


def test_settings_env_vars_are_sent_with_runs_and_masked(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    page.get_by_test_id("settings-button").click()
    dialog = page.get_by_test_id("settings-dialog")
    dialog.get_by_test_id("env-key").fill("PSYNAPSE_E2E_TOKEN")
    dialog.get_by_test_id("env-value").fill("s3cret-value")
    expect(dialog.get_by_test_id("env-value")).to_have_attribute("type", "password")
    page.keyboard.press("Escape")
    drag_to_canvas(page, "Variable", 200, 200)
    bodies = requests_sent(page, lambda r: r.url.endswith("/execute/stream"), lambda r: r.post_data)
    execute(page)
    expect(page.get_by_test_id("status-panel")).to_have_attribute("data-phase", "done")
    assert bodies[0] is not None
    assert json.loads(bodies[0])["env_vars"] == {"PSYNAPSE_E2E_TOKEN": "s3cret-value"}
    assert "s3cret-value" not in (page.evaluate("JSON.stringify(localStorage)") or "")
    assert "s3cret-value" in page.evaluate("JSON.stringify(sessionStorage)")


def test_library_search_and_tooltips(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    page.get_by_test_id("library-search").fill("progress")
    items = page.get_by_test_id("library-item")
    expect(items).to_have_count(1)
    expect(items.first).to_have_attribute("data-node-name", "CountWithProgress")
    expect(items.first).to_contain_text("progress")
    page.get_by_test_id("library-search").fill("stream")
    names = [items.nth(i).get_attribute("data-node-name") for i in range(items.count())]
    assert "EchoStream" in names
    page.get_by_test_id("library-search").fill("")
    assert "Divide a by b" in (library_item(page, "divide").get_attribute("title") or "")
