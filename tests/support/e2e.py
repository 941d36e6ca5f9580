"""Moves a person makes in the editor, for the e2e tests."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
# Issue 18's note points to these (committed): itemN-after.png beside itemN-before.png.
ISSUE_SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "issue-18"


def open_editor(page: Page, url: str) -> None:
    page.goto(url + "/")
    expect(page.locator('[data-testid="library-item"][data-node-name="add"]')).to_be_visible(timeout=20000)


def library_item(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid="library-item"][data-node-name="{name}"]')


def node(page: Page, node_id: str) -> Locator:
    return page.get_by_test_id(f"node-{node_id}")


def drag_to_canvas(page: Page, name: str, x: float, y: float) -> None:
    """Drag a library entry onto the canvas at (x, y) relative to the canvas."""
    library_item(page, name).drag_to(page.get_by_test_id("canvas"), target_position={"x": x, "y": y})


def handle(page: Page, node_id: str, handle_id: str, kind: str) -> Locator:
    return page.locator(f'.react-flow__handle.{kind}[data-nodeid="{node_id}"][data-handleid="{handle_id}"]')


def connect(page: Page, source: str, target: str, target_handle: str, source_handle: str = "output") -> None:
    """Draw a wire with the mouse from an output handle to an input handle."""
    start = handle(page, source, source_handle, "source").bounding_box()
    end = handle(page, target, target_handle, "target").bounding_box()
    assert start and end, f"handles not found: {source}.{source_handle} -> {target}.{target_handle}"
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2 - 20, end["y"] + end["height"] / 2, steps=8)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=4)
    page.mouse.up()


def set_variable(page: Page, node_id: str, value: str, kind: str | None = None) -> None:
    root = node(page, node_id)
    if kind:
        root.get_by_test_id("variable-type").select_option(kind)
    root.get_by_test_id("variable-value").fill(value)


def edge_count(page: Page) -> int:
    return page.locator(".react-flow__edge").count()


def import_workflow(page: Page, workflow: dict, tmp_path: Path, name: str = "workflow.json") -> None:
    path = tmp_path / name
    path.write_text(json.dumps(workflow))
    page.get_by_test_id("import-input").set_input_files(str(path))


def execute(page: Page) -> None:
    page.get_by_test_id("execute-button").click()


def wait_run_finished(page: Page, timeout: float = 30000) -> str:
    panel = page.get_by_test_id("status-panel")
    expect(panel).to_have_attribute("data-phase", _finished_phase(), timeout=timeout)
    return panel.get_attribute("data-phase") or ""


def _finished_phase():
    import re

    return re.compile(r"^(done|failed|cancelled)$")


def view_text(page: Page, view_id: str) -> Locator:
    return node(page, view_id).get_by_test_id("view-value")


def status_item(page: Page, node_id: str) -> Locator:
    """The node's card in the status panel (History's cards are elsewhere)."""
    return page.get_by_test_id("status-panel").locator(f'[data-testid="status-item"][data-node-id="{node_id}"]')


def start_sampling(page: Page, expression: str) -> None:
    """Evaluate `expression` in the page on every animation frame; keep the distinct values."""
    page.evaluate(
        """(expr) => {
            window.__samples = [];
            const probe = new Function(`return (${expr});`);
            const tick = () => {
                let value;
                try { value = JSON.stringify(probe()); } catch (e) { value = null; }
                const last = window.__samples[window.__samples.length - 1];
                if (value !== null && value !== last) window.__samples.push(value);
                window.__sampling = requestAnimationFrame(tick);
            };
            tick();
        }""",
        expression,
    )


def samples(page: Page) -> list:
    return [json.loads(s) for s in page.evaluate("window.__samples")]


def expect_edges(page: Page, count: int) -> None:
    expect(page.locator(".react-flow__edge")).to_have_count(count)


# -- saved workflows and run history (test_workflows_ui.py) -------------------
def workflow_name(page: Page) -> Locator:
    return page.get_by_test_id("workflow-name")


def dirty_marker(page: Page) -> Locator:
    return page.get_by_test_id("dirty-marker")


def save_as(page: Page, name: str) -> None:
    """Save as `name` through the dialog (opened by Save as)."""
    page.get_by_role("button", name="Save workflow as").click()
    dialog = page.get_by_role("dialog", name="Save workflow as")
    dialog.get_by_label("Workflow name").fill(name)
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(workflow_name(page)).to_have_text(name)


def open_dialog(page: Page) -> Locator:
    page.get_by_role("button", name="Open workflow").click()
    dialog = page.get_by_role("dialog", name="Open workflow")
    expect(dialog).to_be_visible()
    return dialog


def saved_workflow(dialog: Locator, name: str) -> Locator:
    return dialog.locator(f'[data-testid="workflow-item"][data-name="{name}"]')


def history_rows(page: Page) -> Locator:
    return page.get_by_test_id("history-run")


def confirm(page: Page, button: str) -> None:
    """Answer the in-page confirmation with `button` (its confirm label, or Cancel)."""
    page.get_by_role("alertdialog").get_by_role("button", name=button).click()
    expect(page.get_by_role("alertdialog")).to_be_hidden()


# -- issue 18: the canvas as a person works it -----------------------------------------
def shot(page: Page, name: str, issue: str = "issue-18") -> None:
    """A screenshot for the issue's note (test-results/<issue>/<name>.png), in 256 colours:
    the note's screenshots are committed, and a UI needs no more."""
    from PIL import Image

    folder = ISSUE_SHOTS.parent / issue
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(colors=256).save(path, optimize=True)


def menu(page: Page, item: str) -> None:
    """Pick an item of the toolbar's More menu (import-button, export-button, clear-button)."""
    page.get_by_test_id("more-button").click()
    page.get_by_test_id(item).click()


def center(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box, f"{locator} is not on screen"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_wire(page: Page, start: Locator, to: tuple[float, float]) -> None:
    """Press on a handle and let go at a point (a node's body, a row, the empty canvas)."""
    x, y = center(start)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move((x + to[0]) / 2, (y + to[1]) / 2, steps=6)
    page.mouse.move(to[0], to[1], steps=6)
    page.mouse.up()


def canvas_point(page: Page, x: float, y: float) -> tuple[float, float]:
    """A point of the canvas, in page coordinates, from its top-left corner."""
    box = page.get_by_test_id("canvas").bounding_box()
    assert box
    return box["x"] + x, box["y"] + y


def node_box(page: Page, node_id: str) -> dict:
    box = node(page, node_id).bounding_box()
    assert box, f"node {node_id} is not on screen"
    return box


def empty_canvas_point(page: Page, *candidates: tuple[float, float], margin: float = 24) -> tuple[float, float]:
    """The first of these canvas points no node covers, in page coordinates.

    Where the editor places a new node depends on what is already there, so a wire
    let go at a fixed spot can land on a node (and wire to it) instead of the canvas.
    """
    boxes = [b for b in (n.bounding_box() for n in page.locator(".react-flow__node").all()) if b]
    for x, y in candidates:
        px, py = canvas_point(page, x, y)
        spot = {"x": px - margin, "y": py - margin, "width": 2 * margin, "height": 2 * margin}
        if not any(overlaps(spot, box) for box in boxes):
            return px, py
    raise AssertionError(f"every candidate point is covered by a node: {candidates}")


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def zoom(page: Page) -> float:
    return float(
        page.locator(".react-flow__viewport").evaluate("el => new DOMMatrixReadOnly(getComputedStyle(el).transform).a")
    )
