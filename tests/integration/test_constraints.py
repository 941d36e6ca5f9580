"""Input constraints on a real stack: a value the graph gives out of bounds is a 400 naming
the node and the rule before any node runs; a value another node gives is the node's
error, before its code runs; /get_schema shows the bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.graphs import by_node, edge, fn, graph, stream, var, view
from tests.support.stack import stack_with_packs

OPS = """
    from pathlib import Path
    from typing import Annotated

    from annotated_types import Ge, Le


    def set_volume(level: Annotated[int, Ge(0), Le(100)], marker: str = "") -> int:
        "Set the volume (0-100)."
        if marker:
            Path(marker).write_text(str(level))
        return level


    def tag(label: Annotated[str, str.isidentifier]) -> str:
        return label
"""


@pytest.fixture(scope="module")
def rules_stack(nats_server, tmp_path_factory: pytest.TempPathFactory):
    with stack_with_packs(nats_server.url, tmp_path_factory.mktemp("rules"), {"rules": OPS}, runners=1) as running:
        yield running


def test_the_schema_shows_the_bounds(rules_stack):
    with rules_stack.client() as client:
        schema = next(s for s in client.get("/get_schema").json() if s["name"] == "set_volume")
    assert schema["params"][0] == {
        "name": "level",
        "type": "int",
        "constraints": {"minimum": 0, "maximum": 100},
        "json_schema": {"type": "integer", "minimum": 0, "maximum": 100},
    }


def test_a_value_out_of_bounds_is_refused_before_anything_runs(rules_stack, tmp_path: Path):
    marker = tmp_path / "ran"
    with rules_stack.client() as client:
        before = len(client.get("/runs", params={"limit": 500}).json()["runs"])
        typed = client.post("/execute", json=graph([fn("v", "set_volume", level=150, marker=str(marker))], []))
        wired = client.post(
            "/execute",
            json=graph(
                [var("x", "-5"), fn("v", "set_volume", marker=str(marker)), view("w")],
                [edge("x", "v", "level"), edge("v", "w")],
            ),
        )
        _, streamed = stream(client, graph([fn("v", "set_volume", level=101)], []))
        after = len(client.get("/runs", params={"limit": 500}).json()["runs"])
    assert typed.status_code == 400
    assert typed.json()["detail"] == "Node 'v' (set_volume): input 'level' = 150 breaks its rule: at most 100"
    assert wired.status_code == 400
    assert wired.json()["detail"] == "Node 'v' (set_volume): input 'level' = -5 breaks its rule: at least 0"
    assert [data for _, data in streamed] == [
        {"status": "error", "error": "Node 'v' (set_volume): input 'level' = 101 breaks its rule: at most 100"}
    ]
    assert after == before and not marker.exists()


def test_a_value_another_node_gives_fails_the_node_before_its_code_runs(rules_stack, tmp_path: Path):
    marker = tmp_path / "ran"
    body = graph(
        [
            fn("a", "add", a=100, b=50),
            fn("v", "set_volume", marker=str(marker)),
            view("w"),
            fn("t", "tag", label="9 lives"),
            view("u"),
        ],
        [edge("a", "v", "level"), edge("v", "w"), edge("t", "u")],
    )
    with rules_stack.client() as client:
        _, events = stream(client, body)
    nodes = by_node(events)
    assert nodes["v"][-1]["status"] == "error"
    assert nodes["v"][-1]["error"] == "input 'level' = 150 breaks its rule: at most 100"
    # A validator is user code: only a runner calls it, before the node.
    assert nodes["t"][-1]["error"] == "input 'label' = '9 lives' breaks its rule: str.isidentifier"
    assert events[-1][1]["results"] == {"w": None, "u": None}
    assert not marker.exists()
