"""PSYNAPSE_API_TOKEN: every API route needs the bearer token; the editor and health do not."""

from __future__ import annotations

import httpx
import pytest

from tests.support.graphs import edge, fn, graph, view
from tests.support.stack import copy_packs, start_stack, stop_stack

TOKEN = "t0ken-for-tests"


@pytest.fixture(scope="module")
def guarded(nats_server, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("auth")
    packs = copy_packs(root / "nodepacks", "basic")
    data = root / "data"
    data.mkdir()
    running = start_stack(
        nats_server.url,
        packs,
        data,
        runners=1,
        env={"PSYNAPSE_API_TOKEN": TOKEN, "PSYNAPSE_CORS_ORIGINS": "http://editor.example"},
    )
    yield running
    stop_stack(running.process)


def test_api_needs_the_token(guarded):
    body = graph([fn("a", "add", a=1, b=2), view("v")], [edge("a", "v")])
    with httpx.Client(base_url=guarded.url, timeout=30) as client:
        assert client.get("/").status_code == 200
        assert client.get("/health").status_code == 200
        assert client.get("/get_schema").status_code == 401
        assert client.post("/execute", json=body).status_code == 401
        wrong = client.post("/execute", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        good = client.post("/execute", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.json() == {"results": {"v": 3.0}}
        assert client.get("/get_schema", params={"access_token": TOKEN}).status_code == 200


def test_cors_origins_can_be_restricted(guarded):
    with httpx.Client(base_url=guarded.url, timeout=30) as client:
        allowed = client.get("/health", headers={"Origin": "http://editor.example"})
        other = client.get("/health", headers={"Origin": "http://evil.example"})
    assert allowed.headers.get("access-control-allow-origin") == "http://editor.example"
    assert "access-control-allow-origin" not in other.headers
