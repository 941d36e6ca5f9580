"""End-to-end fixtures: the real product (`psynapse up`) and headless Chromium.

The server runs as a subprocess on a free port with its own data dir; the
browser is Debian's Chromium (PSYNAPSE_CHROMIUM overrides the path). Every
test leaves a screenshot of its final state in test-results/e2e/<test>.png.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.e2e import SHOTS  # test-results/e2e

REPO = Path(__file__).resolve().parents[2]
PSYNAPSE = Path(os.environ.get("PSYNAPSE_BIN", REPO / ".venv" / "bin" / "psynapse"))
CHROMIUM = os.environ.get("PSYNAPSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HEALTH_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"psynapse up exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"psynapse did not answer /health within {HEALTH_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def editor_dist() -> Path:
    """The built editor; built once if missing (or when PSYNAPSE_E2E_BUILD=1)."""
    dist = REPO / "frontend" / "dist"
    if os.environ.get("PSYNAPSE_E2E_BUILD") == "1" or not (dist / "index.html").is_file():
        subprocess.run(["npm", "run", "build"], cwd=REPO / "frontend", check=True)
    return dist


@pytest.fixture
def start_psynapse(tmp_path: Path, editor_dist: Path) -> Iterator[Callable[..., str]]:
    """Start `psynapse up`; returns its base URL. Stopped (SIGTERM) after the test."""
    processes: list[subprocess.Popen] = []

    def start(nodepacks_dir: Path | None = None, env: dict[str, str] | None = None) -> str:
        port = _free_port()
        packs = Path(nodepacks_dir or os.environ.get("PSYNAPSE_NODEPACKS_DIR") or REPO / "nodepacks")
        data = tmp_path / f"data-{len(processes)}"
        data.mkdir()
        log = tmp_path / f"psynapse-{len(processes)}.log"
        env = {
            **os.environ,
            "PSYNAPSE_HTTP_PORT": str(port),
            "PSYNAPSE_NODEPACKS_DIR": str(packs),
            "PSYNAPSE_DATA_DIR": str(data),
            **(env or {}),
        }
        command = [
            str(PSYNAPSE),
            "up",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--nodepacks-dir",
            str(packs),
            "--data-dir",
            str(data),
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, process, log)
        return url

    yield start
    for process in reversed(processes):
        _stop(process)


@pytest.fixture
def psynapse(start_psynapse: Callable[..., str]) -> str:
    """Base URL of a fresh product serving the repo's nodepacks (or PSYNAPSE_E2E_URL)."""
    return os.environ.get("PSYNAPSE_E2E_URL") or start_psynapse()


@pytest.fixture
def writable_nodepacks(tmp_path: Path) -> Path:
    """A copy of the repo's nodepacks that a test may edit."""
    target = tmp_path / "nodepacks"
    shutil.copytree(REPO / "nodepacks", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request, start_psynapse):
    # Depends on start_psynapse so the page (and its open SSE streams) closes
    # before the server stops: a gateway with a connected SSE client takes the
    # supervisor's full 15 s kill timeout to stop.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SHOTS / f"{request.node.name}.png"))
    except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test result
        print(f"screenshot failed: {exc}", file=sys.stderr)
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
