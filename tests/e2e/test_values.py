"""Values of every kind, from variable nodes through lists to views."""

from __future__ import annotations

import base64
import json

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    connect,
    drag_to_canvas,
    execute,
    expect_edges,
    node,
    open_editor,
    set_variable,
    view_text,
    wait_run_finished,
)

pytestmark = pytest.mark.e2e

# A 2x2 red PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)


def test_image_variable_is_shown_as_an_image(page: Page, psynapse: str, tmp_path) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 150)
    drag_to_canvas(page, "View", 480, 150)
    node(page, "variable_1").get_by_test_id("variable-type").select_option("Image")
    image = tmp_path / "red.png"
    image.write_bytes(PNG)
    node(page, "variable_1").get_by_test_id("variable-image-input").set_input_files(str(image))
    expect(node(page, "variable_1").get_by_test_id("variable-image-preview")).to_be_visible()
    connect(page, "variable_1", "view_1", "input")
    execute(page)
    assert wait_run_finished(page) == "done"
    shown = view_text(page, "view_1").locator("img")
    expect(shown).to_have_attribute("src", "data:image/png;base64," + base64.b64encode(PNG).decode())


def test_list_node_grows_and_collects_in_order(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 80)
    drag_to_canvas(page, "Variable", 150, 330)
    drag_to_canvas(page, "List", 470, 200)
    drag_to_canvas(page, "View", 700, 200)
    set_variable(page, "variable_1", "first")
    set_variable(page, "variable_2", '{"n": 2}', kind="Object")
    inputs = page.locator('.react-flow__handle.target[data-nodeid="list_1"]')
    expect(inputs).to_have_count(1)
    connect(page, "variable_1", "list_1", "input-0")
    expect(inputs).to_have_count(2)
    connect(page, "variable_2", "list_1", "input-1")
    expect(inputs).to_have_count(3)
    expect(node(page, "list_1").get_by_test_id("list-count")).to_contain_text("2 connected")
    connect(page, "list_1", "view_1", "input")
    expect_edges(page, 3)
    execute(page)
    assert wait_run_finished(page) == "done"
    assert json.loads(view_text(page, "view_1").inner_text()) == ["first", {"n": 2}]


def test_llm_message_format(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 150)
    drag_to_canvas(page, "View", 480, 150)
    set_variable(page, "variable_1", "Hello!")
    node(page, "variable_1").get_by_test_id("variable-llm").check()
    node(page, "variable_1").get_by_test_id("variable-role").select_option("system")
    connect(page, "variable_1", "view_1", "input")
    execute(page)
    assert wait_run_finished(page) == "done"
    assert json.loads(view_text(page, "view_1").inner_text()) == {"role": "system", "content": "Hello!"}
