"""Real parts only: a real nats-server on a free port, the real services, real HTTP."""

from __future__ import annotations

import pytest

from tests.support.stack import NatsServer, copy_packs, start_nats, start_stack, stop_stack


@pytest.fixture(scope="module")
def nats_server(tmp_path_factory: pytest.TempPathFactory):
    server = start_nats(tmp_path_factory.mktemp("jetstream"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(nats_server: NatsServer, tmp_path_factory: pytest.TempPathFactory):
    """The product as `psynapse up` runs it, against the fixture's nats-server."""
    root = tmp_path_factory.mktemp("stack")
    packs = copy_packs(root / "nodepacks", "testpack", "basic", "examples")
    data = root / "data"
    data.mkdir()
    running = start_stack(nats_server.url, packs, data)
    yield running
    stop_stack(running.process)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last. Playwright's sync API keeps an event loop running on the main
    thread from the first browser test to the end of the session, and code under test that
    plans a graph or exports a script calls asyncio.run, which refuses to run inside it."""
    items.sort(key=lambda item: "tests/e2e/" in item.nodeid.replace("\\", "/") or item.nodeid.startswith("e2e/"))
