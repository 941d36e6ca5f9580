"""Issue 17, retries and timeouts in the editor: a node's Run settings set its attempts and
backoff over its function's policy; the run shows the node retrying, then its result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import (
    execute,
    import_workflow,
    node,
    open_editor,
    samples,
    start_sampling,
    status_item,
    view_text,
    wait_run_finished,
)
from tests.support.e2e_workflows import edge, function, view

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def with_testpack(start_psynapse, tmp_path: Path) -> str:
    packs = tmp_path / "nodepacks"
    for source in (REPO / "nodepacks" / "basic", REPO / "tests" / "packs" / "testpack"):
        shutil.copytree(source, packs / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    return start_psynapse(nodepacks_dir=packs)


def flaky_graph(counter: Path, fails: int) -> dict:
    return {
        "nodes": [function("F", "flaky", 0, 0, counter=str(counter), fails=fails, value=42), view("W", 420, 0)],
        "edges": [edge("F", "W", "input")],
    }


def test_retry_settings_on_a_node_retry_it_and_the_run_shows_it(page: Page, with_testpack: str, tmp_path: Path) -> None:
    counter = tmp_path / "calls"
    open_editor(page, with_testpack)
    # flaky's own policy is 3 attempts: failing 3 times, it needs the node's settings to pass.
    import_workflow(page, flaky_graph(counter, fails=3), tmp_path)
    flaky = node(page, "F")
    flaky.get_by_test_id("run-settings-toggle-F").click()
    attempts = flaky.get_by_test_id("retry-times-F")
    expect(attempts).to_have_attribute("placeholder", "3")
    expect(flaky.get_by_text("Retried on ConnectionError")).to_be_visible()
    attempts.fill("4")
    flaky.get_by_test_id("retry-backoff-F").fill("0.3")
    expect(flaky.get_by_test_id("run-settings-summary-F")).to_have_text("4 attempts · backoff 0.3 s")

    # The node's status and its retry note, every frame the page draws.
    start_sampling(
        page,
        "[document.querySelector('[data-testid=node-F]').dataset.status,"
        " document.querySelector('[data-testid=node-F] [data-testid=node-retrying]')?.textContent ?? null]",
    )
    execute(page)
    # Live: the node says it is retrying, which attempt comes next and why.
    retrying = flaky.get_by_test_id("node-retrying")
    expect(retrying).to_contain_text("Retrying: attempt 2 of 4 in 0.3 s")
    expect(retrying).to_contain_text("call 1 failed")
    assert wait_run_finished(page) == "done"
    expect(view_text(page, "W")).to_have_text("42")
    expect(flaky).to_have_attribute("data-status", "completed")
    expect(flaky.get_by_test_id("node-attempts")).to_have_text("Took 4 attempts")
    expect(status_item(page, "F").get_by_test_id("status-attempts")).to_have_text("Took 4 attempts")
    assert len(counter.read_text().splitlines()) == 4

    seen = samples(page)
    statuses = [status for status, _ in seen]
    assert statuses.index("retrying") < statuses.index("completed"), statuses
    notes = [note for status, note in seen if status == "retrying"]
    # The pause doubles, up to flaky's own cap (max_backoff_s=1): the node set only the backoff.
    for coming, pause in ((2, "0.3"), (3, "0.6"), (4, "1")):
        assert any(f"attempt {coming} of 4 in {pause} s" in note for note in notes), notes


def test_a_node_timeout_set_in_its_settings_fails_it_in_time(page: Page, with_testpack: str, tmp_path: Path) -> None:
    open_editor(page, with_testpack)
    workflow = {
        "nodes": [function("P", "SlowProgress", 0, 0, steps=50, step_ms=100), view("W", 420, 0)],
        "edges": [edge("P", "W", "input")],
    }
    import_workflow(page, workflow, tmp_path)
    progress = node(page, "P")
    progress.get_by_test_id("run-settings-toggle-P").click()
    expect(progress.get_by_test_id("timeout-P")).to_have_attribute("placeholder", "none")
    progress.get_by_test_id("timeout-P").fill("0.5")
    execute(page)
    assert wait_run_finished(page) == "failed"
    expect(progress).to_have_attribute("data-status", "error")
    expect(progress.get_by_test_id("node-error")).to_contain_text("timed out after 0.5 s")
