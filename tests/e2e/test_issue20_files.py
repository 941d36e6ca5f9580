"""Issue 20, item 6 as a user meets it: a file chosen in a ``Path`` input is uploaded and
read by the node on its runner; a DataFrame shows as a table in the view, the status card
and History."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from tests.support.e2e import (
    execute,
    history_rows,
    import_workflow,
    node,
    open_editor,
    requests_sent,
    status_item,
    view_text,
    wait_run_finished,
)
from tests.support.e2e_workflows import edge, function, view

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_testpack(start_psynapse: Callable[..., str], tmp_path: Path) -> str:
    """The product serving the repo's nodepacks and the test pack (read_file, make_frame)."""
    packs = tmp_path / "nodepacks"
    shutil.copytree(REPO / "nodepacks", packs, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        REPO / "tests" / "packs" / "testpack", packs / "testpack", ignore=shutil.ignore_patterns("__pycache__")
    )
    return start_psynapse(nodepacks_dir=packs)


def test_a_file_chosen_in_a_path_input_is_uploaded_and_read_by_the_node(
    page: Page, with_testpack: str, tmp_path: Path
) -> None:
    open_editor(page, with_testpack)
    graph = {"nodes": [function("R", "read_file", 0, 0), view("W", 380, 0)], "edges": [edge("R", "W", "input")]}
    import_workflow(page, graph, tmp_path)
    picker = node(page, "R").get_by_test_id("param-R-path")
    expect(picker.get_by_test_id("param-R-path-name")).to_have_text("No file")
    sales = tmp_path / "sales.csv"
    sales.write_text("name,count\na,1\nb,2\n")
    uploads: list[int] = []

    def on_response(response: Response) -> None:
        if response.url.endswith("/files"):
            uploads.append(response.status)

    page.on("response", on_response)
    picker.get_by_test_id("param-R-path-input").set_input_files(str(sales))
    expect(picker.get_by_test_id("param-R-path-name")).to_have_text("sales.csv · 19 B")
    assert uploads == [201]

    sent = requests_sent(page, lambda r: r.url.endswith("/execute/stream"), lambda r: json.loads(r.post_data or "{}"))
    execute(page)
    assert wait_run_finished(page) == "done"
    shown = json.loads(view_text(page, "W").inner_text())
    assert shown == {"type": "PosixPath", "name": "sales.csv", "size": 19, "text": "name,count\na,1\nb,2\n"}
    path = sent[0]["nodes"][0]["data"]["path"]
    assert path["name"] == "sales.csv" and path["size"] == 19 and len(path["psynapse_file"]) == 64

    # Clear empties the input again.
    picker.get_by_role("button", name="Clear").click()
    expect(picker.get_by_test_id("param-R-path-name")).to_have_text("No file")


def test_a_dataframe_shows_as_a_table_in_the_view_the_card_and_history(
    page: Page, with_testpack: str, tmp_path: Path
) -> None:
    pytest.importorskip("pandas")
    open_editor(page, with_testpack)
    graph = {
        "nodes": [function("M", "make_frame", 0, 0, rows=30), view("T", 380, 0)],
        "edges": [edge("M", "T", "input")],
    }
    import_workflow(page, graph, tmp_path)
    execute(page)
    assert wait_run_finished(page) == "done"
    table = view_text(page, "T")
    expect(table).to_have_attribute("data-table", "true")
    expect(table.get_by_test_id("table-summary")).to_have_text(
        "DataFrame · 30 rows × 4 columns (showing first 20 rows)"
    )
    expect(table.locator("thead th")).to_have_text(["key", "countint32", "ratiofloat32", "kindcategory", "namestr"])
    expect(table.locator("tbody tr")).to_have_count(20)
    expect(table.locator("tbody tr").first.locator("th, td")).to_have_text(["r0", "0", "0", "x", "item 0"])
    expect(status_item(page, "M").locator('[data-table="true"]')).to_have_count(1)

    page.get_by_test_id("history-button").click()
    history_rows(page).first.click()
    detail = page.get_by_test_id("history-detail")
    expect(detail.locator('[data-table="true"]').first).to_be_visible()
