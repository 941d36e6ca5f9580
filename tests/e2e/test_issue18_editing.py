"""Issue 18, building graphs as a user meets it: New and Clear (2), the LLM node takes one
message (3), the minimap (4), quick add (5), wires and zoom (6), the JSON editor (10),
the exported script (11) and the smaller things (13)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    canvas_point,
    center,
    confirm,
    connect,
    drag_to_canvas,
    drag_wire,
    edge_count,
    empty_canvas_point,
    execute,
    expect_edges,
    handle,
    history_rows,
    import_workflow,
    library_item,
    menu,
    node,
    node_box,
    open_editor,
    overlaps,
    requests_sent,
    save_as,
    set_variable,
    shot,
    status_item,
    view_text,
    wait_run_finished,
    workflow_name,
    zoom,
)
from tests.support.e2e_workflows import example_graph

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def test_item2_new_and_a_confirmed_clear_leave_the_saved_workflow(page: Page, psynapse: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    open_editor(page, psynapse)
    import_workflow(page, example_graph(), tmp_path)
    save_as(page, "sales-forecast-weekly")
    # The whole name shows, not "s.. v1".
    name = workflow_name(page)
    expect(name).to_have_text("sales-forecast-weekly")
    assert name.evaluate("el => el.scrollWidth <= el.clientWidth"), "the name is cut"
    expect(page.get_by_test_id("workflow-version")).to_have_text("v1")
    page.mouse.move(*canvas_point(page, 300, 300))
    page.mouse.wheel(0, 600)  # zoom out a long way before clearing
    assert int(page.get_by_test_id("zoom-100").get_attribute("data-zoom") or "100") < 60
    # Clear asks first; Cancel keeps everything.
    menu(page, "clear-button")
    expect(page.get_by_role("alertdialog")).to_contain_text("leaves 'sales-forecast-weekly'")
    confirm(page, "Cancel")
    expect(page.locator(".react-flow__node")).to_have_count(9)
    expect(name).to_have_text("sales-forecast-weekly")
    menu(page, "clear-button")
    confirm(page, "Clear")
    expect(page.locator(".react-flow__node")).to_have_count(0)
    expect(name).to_have_text("Untitled")
    expect(page.get_by_test_id("zoom-100")).to_have_attribute("data-zoom", "100")  # not left at the old zoom
    # A graph built now is not the old workflow: its runs are not recorded under that name,
    # and Ctrl+S asks for a name rather than saving it as version 2.
    drag_to_canvas(page, "Variable", 200, 200)
    drag_to_canvas(page, "View", 520, 200)
    connect(page, "variable_1", "view_1", "input")
    execute(page)
    assert wait_run_finished(page) == "done"
    page.get_by_test_id("history-button").click()
    expect(history_rows(page).first).to_have_attribute("data-workflow", "")
    page.get_by_test_id("history-button").click()
    page.get_by_test_id("canvas").click(position={"x": 600, "y": 500})
    page.keyboard.press("Control+s")
    expect(page.get_by_role("dialog", name="Save workflow as")).to_be_visible()
    page.keyboard.press("Escape")
    assert [
        v["version"]
        for v in page.request.get(psynapse + "/workflows/sales-forecast-weekly/versions").json()["versions"]
    ] == [1]
    # New: asks before dropping unsaved work, then an empty, untitled canvas.
    page.get_by_test_id("new-button").click()
    confirm(page, "Discard changes")
    expect(page.locator(".react-flow__node")).to_have_count(0)
    expect(name).to_have_text("Untitled")
    expect(page.get_by_test_id("canvas-empty")).to_be_visible()
    # Back in the saved workflow, then Clear: shown with the full name before and after.
    page.get_by_test_id("open-button").click()
    page.get_by_role("button", name="Open sales-forecast-weekly").click()
    expect(name).to_have_text("sales-forecast-weekly")
    menu(page, "clear-button")
    expect(page.get_by_role("alertdialog")).to_be_visible()
    shot(page, "item2-after")
    confirm(page, "Clear")


def test_item3_an_llm_message_wires_into_the_llm_node_and_its_pack_says_what_it_needs(
    page: Page, psynapse: str
) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 150)
    drag_to_canvas(page, "openai_chat_completion", 560, 150)
    set_variable(page, "variable_1", "Say hello")
    node(page, "variable_1").get_by_test_id("variable-llm").check()
    expect(node(page, "variable_1").get_by_test_id("variable-output-type")).to_have_text("dict")
    connect(page, "variable_1", "openai_chat_completion_1", "messages")
    expect_edges(page, 1)  # one message is what `messages` takes now (or a list of them, or a text)
    page.get_by_test_id("param-openai_chat_completion_1-model").fill("gpt-4o-mini")
    # The llms pack needs openai, not installed here: flagged, with the command, before any run.
    group = page.locator('[data-testid="library-group"][data-pack="llms"]')
    expect(group.get_by_test_id("pack-install-command")).to_have_text("pip install 'psynapse[llm]'")
    expect(library_item(page, "openai_chat_completion")).to_have_attribute("data-missing", "true")
    expect(node(page, "openai_chat_completion_1").get_by_test_id("node-missing")).to_have_text("needs openai")
    posted = requests_sent(page, lambda r: "/execute" in r.url, lambda r: r.url)
    execute(page)
    issues = page.get_by_test_id("run-issues")
    expect(issues).to_contain_text("needs the 'openai' package, which is not installed: pip install 'psynapse[llm]'")
    page.wait_for_timeout(300)
    assert posted == []
    shot(page, "item3-after")

    # A value where a list is wanted: refused, with the fix one click away.
    drag_to_canvas(page, "Variable", 150, 470)
    drag_to_canvas(page, "sum_list", 560, 470)
    set_variable(page, "variable_2", "4", kind="Number")
    connect(page, "variable_2", "sum_list_1", "values")
    toast = page.get_by_test_id("toast").filter(has_text="Put a List node in between")
    expect(toast).to_be_visible()
    toast.get_by_test_id("toast-action").click()
    expect(node(page, "list_1")).to_be_visible()
    expect_edges(page, 3)
    for node_id in ("variable_1", "openai_chat_completion_1"):
        node(page, node_id).locator(".psy-node__header").click()
        page.keyboard.press("Delete")
    drag_to_canvas(page, "View", 640, 650)
    connect(page, "sum_list_1", "view_1", "input")
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "view_1")).to_have_text("4")


def test_item4_fit_view_keeps_nodes_clear_of_the_minimap_which_folds_away(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    import_workflow(page, example_graph(), tmp_path)
    expect(page.locator(".react-flow__node")).to_have_count(9)
    page.mouse.wheel(0, -300)
    page.get_by_test_id("fit-view").click()
    page.wait_for_timeout(400)
    minimap = page.locator(".react-flow__minimap").bounding_box()
    assert minimap
    for node_id in ("V1", "V2", "V3", "V4", "F1", "F2", "F3", "L1", "View"):
        box = node(page, node_id).bounding_box()
        if box:
            assert not overlaps(box, minimap), (node_id, box, minimap)
    shot(page, "item4-after")
    # While a wire is drawn, the minimap lets it through to what is under it.
    start = handle(page, "V1", "output", "source")
    x, y = center(start)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(minimap["x"] + 20, minimap["y"] + 20, steps=8)
    assert page.locator(".react-flow__minimap").evaluate("el => getComputedStyle(el).pointerEvents") == "none"
    page.mouse.up()  # let go over the canvas beneath: quick add offers a node for the wire
    expect(page.get_by_test_id("quick-add")).to_have_attribute("data-wire", "true")
    page.keyboard.press("Escape")
    # Folded away and back; the choice survives a reload.
    page.get_by_test_id("minimap-toggle").click()
    expect(page.locator(".react-flow__minimap")).to_have_count(0)
    page.reload()
    expect(node(page, "V1")).to_be_visible()
    expect(page.locator(".react-flow__minimap")).to_have_count(0)
    page.get_by_test_id("minimap-toggle").click()
    expect(page.locator(".react-flow__minimap")).to_have_count(1)


def test_item5_quick_add_ranks_exact_names_first_and_places_at_the_pointer(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    canvas = page.get_by_test_id("canvas")
    canvas.dblclick(position={"x": 400, "y": 300})
    page.get_by_test_id("quick-add-input").fill("list")
    items = page.get_by_test_id("quick-add-item")
    expect(items.first).to_have_attribute("data-node-name", "List")
    assert items.nth(1).get_attribute("data-node-name") != "Variable"
    page.keyboard.press("Enter")
    # Double-click: the new node's header is where the click was.
    clicked = canvas_point(page, 400, 300)
    box = node_box(page, "list_1")
    assert abs(box["x"] - clicked[0]) <= 30 and abs(box["y"] - clicked[1]) <= 30, (box, clicked)
    # "/" adds at the pointer, and twice at the same spot never stacks.
    page.mouse.move(*canvas_point(page, 250, 520))
    for _ in range(2):
        page.keyboard.press("/")
        page.get_by_test_id("quick-add-input").fill("add")
        expect(items.first).to_have_attribute("data-node-name", "add")
        page.keyboard.press("Enter")
    first, second = node_box(page, "add_1"), node_box(page, "add_2")
    pointer = canvas_point(page, 250, 520)
    assert abs(first["x"] - pointer[0]) <= 30 and abs(first["y"] - pointer[1]) <= 30, (first, pointer)
    assert not overlaps(first, second), (first, second)
    # A wire dropped on the empty canvas: quick add with what takes it, the pick wired.
    free = empty_canvas_point(page, (620, 560), (700, 150), (120, 120))
    drag_wire(page, handle(page, "add_1", "output", "source"), free)
    quick = page.get_by_test_id("quick-add")
    expect(quick).to_have_attribute("data-wire", "true")
    expect(page.get_by_test_id("quick-add-wire")).to_contain_text("add_1")
    names = [items.nth(i).get_attribute("data-node-name") for i in range(items.count())]
    assert "multiply" in names and "View" in names and "upper" not in names and "Variable" not in names, names
    shot(page, "item5-after")
    page.get_by_test_id("quick-add-input").fill("mult")
    page.keyboard.press("Enter")
    expect(node(page, "multiply_1")).to_be_visible()
    expect(page.locator('.react-flow__edge[data-id*="add_1-output-multiply_1-a"]')).to_have_count(1)
    # From an input: a Variable of the type that input takes, wired.
    free = empty_canvas_point(page, (300, 680), (120, 120), (700, 150), (80, 650))
    drag_wire(page, handle(page, "multiply_1", "b", "target"), free)
    expect(page.get_by_test_id("quick-add-wire")).to_contain_text("multiply_1 · b")
    page.keyboard.press("Enter")  # the first offer: Variable
    expect(node(page, "variable_1").get_by_test_id("variable-type")).to_have_value("Number")
    expect_edges(page, 2)


def test_item6_big_handles_drops_on_a_node_or_its_row_and_a_readable_zoom(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 90, 100)
    drag_to_canvas(page, "Variable", 90, 380)
    drag_to_canvas(page, "add", 400, 200)
    set_variable(page, "variable_1", "5", kind="Number")
    set_variable(page, "variable_2", "3", kind="Number")
    dot = handle(page, "add_1", "a", "target").bounding_box()
    assert dot and dot["width"] >= 14 and dot["height"] >= 14, dot
    # Dropped on the node's header: the first free input that fits (a).
    drag_wire(
        page, handle(page, "variable_1", "output", "source"), center(node(page, "add_1").locator(".psy-node__header"))
    )
    expect(page.locator('.react-flow__edge[data-id="e-variable_1-output-add_1-a"]')).to_have_count(1)
    # Dropped on b's row, far from its handle: b.
    row = node(page, "add_1").locator('[data-input-row="b"]')
    box = row.bounding_box()
    assert box
    drag_wire(
        page,
        handle(page, "variable_2", "output", "source"),
        (box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2),
    )
    expect(page.locator('.react-flow__edge[data-id="e-variable_2-output-add_1-b"]')).to_have_count(1)
    # Near a handle is on it: a wire let go 25 px from the view's input connects.
    drag_to_canvas(page, "View", 470, 520)
    target = handle(page, "view_1", "input", "target")
    tx, ty = center(target)
    drag_wire(page, handle(page, "add_1", "output", "source"), (tx - 25, ty + 4))
    expect_edges(page, 3)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "view_1")).to_have_text("8")
    # 100% is one click, and says where the zoom is.
    page.mouse.move(*canvas_point(page, 300, 300))
    page.mouse.wheel(0, 500)
    hundred = page.get_by_test_id("zoom-100")
    assert int(hundred.get_attribute("data-zoom") or "100") < 100
    hundred.click()
    expect(hundred).to_have_attribute("data-zoom", "100")
    expect(hundred).to_have_text("100%")
    # Fit View on the spec's example stops at a readable zoom, text at least 9.5 px.
    import_workflow(page, example_graph(), tmp_path)
    page.get_by_test_id("fit-view").click()
    page.wait_for_timeout(400)
    assert zoom(page) >= 0.75 - 1e-6
    label = node(page, "F1").locator(".psy-row__label").first
    size = label.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size * zoom(page) >= 9.5, (size, zoom(page))
    shot(page, "item6-after")


def test_item10_object_variables_edit_as_json_with_words_for_mistakes(page: Page, psynapse: str) -> None:
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 160, 160)
    drag_to_canvas(page, "View", 560, 160)
    connect(page, "variable_1", "view_1", "input")
    variable = node(page, "variable_1")
    variable.get_by_test_id("variable-type").select_option("Object")
    field = variable.get_by_test_id("variable-value")
    expect(field).to_have_value("")  # no "{}" to type after
    expect(field).to_have_attribute("placeholder", '{"key": "value"}')
    field.click()
    page.keyboard.type('{"a": 1')
    error = variable.get_by_test_id("variable-json-error")
    expect(error).to_have_text("Line 1, column 1: the text ends inside an object: a closing } is missing")
    # Running now is refused with the same words; fixing the value clears the list by itself.
    execute(page)
    issues = page.get_by_test_id("run-issues")
    expect(issues).to_contain_text("the text ends inside an object")
    field.focus()
    page.keyboard.press("End")
    page.keyboard.type("}")
    expect(error).to_have_count(0)
    expect(variable.get_by_test_id("variable-json-ok")).to_have_text("✓ 1 key")
    expect(issues).to_have_count(0)
    field.fill('{"a": [1, 2], "b": "x"}')
    variable.get_by_test_id("json-format").click()
    expect(field).to_have_value('{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}')
    execute(page)
    assert wait_run_finished(page) == "done"
    assert json.loads(view_text(page, "view_1").inner_text()) == {"a": [1, 2], "b": "x"}
    field.fill('{}{"a": 1')
    expect(error).to_contain_text("Line 1, column 3: there is more text after the object's closing }")


def test_item11_the_exported_workflow_runs_as_a_script_without_psynapse(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    open_editor(page, psynapse)
    import_workflow(page, example_graph(), tmp_path)
    execute(page)
    assert wait_run_finished(page) == "done"
    shown = {"View": view_text(page, "View").inner_text()}
    page.get_by_test_id("more-button").click()
    with page.expect_download() as download:
        page.get_by_test_id("export-button").click()
    flow = tmp_path / "flow.json"
    flow.write_bytes(Path(download.value.path()).read_bytes())
    script = tmp_path / "flow.py"
    exported = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "psynapse"),
            "export",
            str(flow),
            "-o",
            str(script),
            "--nodepacks-dir",
            str(REPO / "nodepacks"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert exported.returncode == 0, exported.stderr
    # A Python without Psynapse (no site-packages): it runs, and prints what the editor shows.
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert str(printed["View"]) == shown["View"] == "48"
    assert printed["View"] == 48 and '"View": 48\n' in done.stdout


def test_item13_number_variables_no_llm_options_toolbar_fits_theme_and_image_thumbnails(
    page: Page, psynapse: str, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    open_editor(page, psynapse)
    drag_to_canvas(page, "Variable", 150, 150)
    variable = node(page, "variable_1")
    expect(variable.get_by_test_id("variable-llm")).to_be_visible()
    variable.get_by_test_id("variable-type").select_option("Number")
    expect(variable.get_by_test_id("variable-llm")).to_have_count(0)
    expect(variable.get_by_test_id("variable-text-content")).to_have_count(0)
    # An image: typed as one, and a thumbnail in the status panel, not pages of base64.
    variable.get_by_test_id("variable-type").select_option("Image")
    expect(variable.get_by_test_id("variable-output-type")).to_have_text("image")
    png = tmp_path / "red.png"
    png.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
        )
    )
    variable.get_by_test_id("variable-image-input").set_input_files(str(png))
    variable.get_by_test_id("variable-llm").check()
    drag_to_canvas(page, "View", 520, 150)
    connect(page, "variable_1", "view_1", "input")
    execute(page)
    assert wait_run_finished(page) == "done"
    card = status_item(page, "variable_1")
    expect(card.locator("img.psy-thumb")).to_have_count(1)
    expect(card.get_by_test_id("status-output")).not_to_contain_text("iVBORw0KGgo")
    expect(card.get_by_test_id("status-output")).to_contain_text("data:image/png;base64,…")
    expect(view_text(page, "view_1").locator("img")).to_have_count(1)
    # While a run goes, the toolbar still fits: help stays on screen.
    import_workflow(
        page,
        {
            "nodes": [
                {
                    "id": "P1",
                    "type": "functionNode",
                    "position": {"x": 0, "y": 0},
                    "data": {"functionName": "CountWithProgress", "count": 30, "delay_ms": 100},
                }
            ],
            "edges": [],
        },
        tmp_path,
    )
    execute(page)
    expect(page.get_by_test_id("execute-button")).to_have_text("Running…")
    for width in (1280, 1100):
        page.set_viewport_size({"width": width, "height": 800})
        box = page.get_by_test_id("help-button").bounding_box()
        assert box and box["x"] + box["width"] <= width, (width, box)
    page.get_by_test_id("stop-button").click()
    wait_run_finished(page)
    # The theme: system, then light, then dark, kept across a reload.
    theme = page.get_by_test_id("theme-button")
    expect(theme).to_have_attribute("data-theme-choice", "system")
    theme.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    theme.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 20, 28)", background
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_test_id("theme-button")).to_have_attribute("data-theme-choice", "dark")
    assert edge_count(page) == 0
