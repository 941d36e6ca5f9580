"""The embedded nats-server leaves half the cores to the Python services."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from psynapse.embedded.natsd import EmbeddedNats


def _environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.mark.parametrize("given", [None, "3"])
def test_embedded_server_gets_gomaxprocs(tmp_path, monkeypatch, given):
    if given is None:
        monkeypatch.delenv("GOMAXPROCS", raising=False)
    else:
        monkeypatch.setenv("GOMAXPROCS", given)
    server = EmbeddedNats(tmp_path)
    server.start()
    try:
        assert server.process is not None
        expected = given or str(max(1, (os.cpu_count() or 2) // 2))
        assert _environ_of(server.process.pid)["GOMAXPROCS"] == expected
    finally:
        server.stop()
