"""Issue 20, rich types in the editor: a dataclass parameter is a form (nested fields, an Enum
as a select, bounded numbers as sliders) whose value runs as the dataclass; a PIL image
parameter takes an upload with a preview and the node gets the image; a numpy array shows as a
grid in a view; a wire of another shape is refused by the JSON Schemas."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.support.e2e import connect, execute, import_workflow, node, open_editor, shot, view_text, wait_run_finished
from tests.support.e2e_workflows import edge, function, view
from tests.support.stack import copy_packs

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "issue-20"
pytestmark = pytest.mark.e2e


@pytest.fixture
def rich(start_psynapse: Callable[..., str], tmp_path: Path) -> str:
    """The product serving the test pack (its rich-type nodes) and the basic pack."""
    return start_psynapse(nodepacks_dir=copy_packs(tmp_path / "nodepacks", "testpack", "basic"))


def test_a_dataclass_form_filled_in_runs_as_the_dataclass(page: Page, rich: str, tmp_path: Path) -> None:
    open_editor(page, rich)
    graph = {
        "nodes": [function("D1", "describe_canvas", 0, 0), view("W", 420, 40)],
        "edges": [edge("D1", "W", "input")],
    }
    import_workflow(page, graph, tmp_path)
    card = node(page, "D1")
    form = card.get_by_test_id("param-D1-canvas")
    expect(form).to_be_visible()
    expect(form.get_by_test_id("param-D1-canvas.size")).to_be_visible()  # a nested dataclass, nested
    form.get_by_test_id("param-D1-canvas.title").fill("poster")
    width = form.get_by_test_id("param-D1-canvas.size.width")
    width.fill("5000")
    # Out of its Annotated bounds: marked, with the rule.
    expect(width).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(width).to_have_attribute("title", "must be at most 4096")
    width.fill("300")
    expect(width).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(form.get_by_test_id("param-D1-canvas.size.width-slider")).to_have_value("300")
    form.get_by_test_id("param-D1-canvas.shade").select_option("dark")
    form.get_by_test_id("param-D1-canvas.mode").select_option("best")
    form.get_by_test_id("param-D1-canvas.opacity-slider").fill("0.25")
    expect(form.get_by_test_id("param-D1-canvas.opacity")).to_have_value("0.25")
    shot(page, "dataclass-form", SHOTS)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("poster: 300x512 dark best 0.25")


def test_an_image_upload_previews_and_reaches_the_node_as_a_pil_image(page: Page, rich: str, tmp_path: Path) -> None:
    open_editor(page, rich)
    graph = {
        "nodes": [
            function("I1", "image_size", 0, 0),
            view("W", 420, 40),
            function("G1", "grid", 0, 360, rows=3, columns=4),
            view("W2", 420, 360),
        ],
        "edges": [edge("I1", "W", "input"), edge("G1", "W2", "input")],
    }
    import_workflow(page, graph, tmp_path)
    picture = tmp_path / "picture.png"
    Image.new("RGB", (7, 5), (10, 200, 30)).save(picture)
    card = node(page, "I1")
    expect(card.get_by_test_id("param-I1-image-preview")).to_have_count(0)
    card.get_by_test_id("param-I1-image-input").set_input_files(str(picture))
    preview = card.get_by_test_id("param-I1-image-preview")
    expect(preview).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    assert preview.evaluate("img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])") == [7, 5]
    shot(page, "image-upload", SHOTS)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("7x5")
    # A numpy array output: a view shows it as a grid with its shape.
    expect(node(page, "W2").get_by_test_id("array-shape")).to_have_text("array 3×4 · int · 0 … 11")
    expect(node(page, "W2").locator("td")).to_have_count(12)
    shot(page, "image-upload-run", SHOTS)


def test_a_wire_of_another_shape_is_refused_by_the_json_schemas(page: Page, rich: str, tmp_path: Path) -> None:
    open_editor(page, rich)
    graph = {
        "nodes": [
            function("S1", "make_size", 0, 0),
            function("A1", "size_area", 360, 0),
            function("N1", "shade_name", 360, 260, shade="light"),
            view("W", 720, 0),
        ],
        "edges": [edge("A1", "W", "input")],
    }
    import_workflow(page, graph, tmp_path)
    # A Size dataclass output into a TypedDict input of its shape fits ...
    connect(page, "S1", "A1", "size")
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    # ... into an Enum input it does not, and the editor says why.
    connect(page, "S1", "N1", "shade")
    expect(page.get_by_test_id("toast").filter(has_text="Type mismatch")).to_contain_text(
        "Size output cannot feed Shade input 'shade': Size does not fit Shade"
    )
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    shot(page, "schema-wire-check", SHOTS)
    execute(page)
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text(str(640 * 480))
