"""The node library follows the backend: live catalog changes, load errors, outages."""

from __future__ import annotations

import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.support.e2e import library_item, open_editor, requests_sent

pytestmark = pytest.mark.e2e

NEW_FUNCTION = '''

def triple(x: float) -> float:
    """Three times x."""
    return 3 * x
'''


def test_library_refreshes_when_a_nodepack_changes(page: Page, start_psynapse, writable_nodepacks) -> None:
    url = start_psynapse(nodepacks_dir=writable_nodepacks)
    open_editor(page, url)
    schema_requests = requests_sent(page, lambda r: r.url.endswith("/get_schema"), lambda r: time.monotonic())
    page.wait_for_timeout(3000)
    # A catalog stream that reconnects on a busy machine may reload once; polling would
    # show a request every interval.
    assert len(schema_requests) <= 1, f"the editor polls /get_schema: {schema_requests}"
    expect(library_item(page, "triple")).to_have_count(0)

    ops = writable_nodepacks / "basic" / "ops.py"
    started = time.monotonic()
    ops.write_text(ops.read_text() + NEW_FUNCTION)
    expect(library_item(page, "triple")).to_be_visible(timeout=10000)
    took = time.monotonic() - started
    print(f"library refreshed {took:.2f}s after the nodepack changed")
    assert took < 2.0, f"library took {took:.2f}s to show the new node"
    assert "Three times x." in (library_item(page, "triple").get_attribute("title") or "")

    # Backend issue (see the report): a pack folder created while the schema
    # service is still re-reading the previous change is only picked up at the
    # next change. Let the first reload settle before the second change.
    page.wait_for_timeout(2000)
    broken = writable_nodepacks / "broken"
    broken.mkdir()
    (broken / "ops.py").write_text("def oops(:\n    pass\n")
    error = page.locator('[data-testid="pack-error"][data-pack="broken"]')
    try:
        expect(error).to_be_visible(timeout=10000)
    except AssertionError:
        with urllib.request.urlopen(f"{url}/nodepacks") as response:
            raise AssertionError(f"no pack error shown; the gateway reports {response.read().decode()}") from None
    expect(error).to_contain_text("ops.py")
    expect(error).to_contain_text(":1")
    expect(library_item(page, "add")).to_be_visible()


def test_backend_unreachable_then_recovers(page: Page, psynapse: str) -> None:
    page.route("**/get_schema", lambda route: route.abort())
    page.goto(psynapse + "/")
    banner = page.get_by_test_id("backend-unreachable")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Backend unreachable")
    expect(banner).to_contain_text("Attempt")
    page.wait_for_timeout(1600)  # a few retries, backing off
    attempts = int(banner.inner_text().split("Attempt ")[1].split()[0])
    assert 2 <= attempts <= 5, attempts
    page.unroute("**/get_schema")
    banner.get_by_role("button", name="Retry now").click()
    expect(library_item(page, "add")).to_be_visible()
    expect(page.get_by_test_id("backend-unreachable")).to_have_count(0)


def test_api_token_is_asked_for_and_sent(page: Page, start_psynapse) -> None:
    url = start_psynapse(env={"PSYNAPSE_API_TOKEN": "e2e-token-123"})
    page.goto(url + "/")
    prompt = page.get_by_test_id("token-prompt")
    expect(prompt).to_be_visible()
    prompt.get_by_test_id("token-input").fill("wrong")
    prompt.get_by_role("button", name="Use token").click()
    expect(page.get_by_test_id("token-prompt")).to_contain_text("refused")
    page.get_by_test_id("token-input").fill("e2e-token-123")
    page.get_by_role("button", name="Use token").click()
    expect(library_item(page, "add")).to_be_visible()
    # runs carry the token too
    page.get_by_test_id("library-item").and_(page.locator('[data-node-name="Variable"]')).dblclick()
    page.get_by_test_id("execute-button").click()
    expect(page.get_by_test_id("status-panel")).to_have_attribute("data-phase", "done")
