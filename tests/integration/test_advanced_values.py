"""The spec's advanced types on a real stack, over HTTP: pandas DataFrames travel intact
between nodes (also through the object store) and show as a table preview in views and
history; a file uploaded to the gateway reaches a ``Path`` input as a local file."""

from __future__ import annotations

import pytest

from tests.support.graphs import edge, fn, graph, view

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

FACTS = {
    "type": "DataFrame",
    "dtypes": {"count": "int32", "ratio": "float32", "kind": "category", "name": "str"},
}


def _frame_graph(rows: int) -> dict:
    return graph(
        [fn("make", "make_frame", rows=rows), fn("facts", "frame_facts"), view("table"), view("out")],
        [edge("make", "facts", "frame"), edge("make", "table"), edge("facts", "out")],
    )


@pytest.mark.parametrize("rows", [3, 40_000], ids=["inline", "object-store"])
def test_a_frame_feeds_a_node_intact_and_views_show_a_preview(stack, rows: int):
    with stack.client() as client:
        answer = client.post("/execute", json=_frame_graph(rows))
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        facts = results["out"]
        assert {key: facts[key] for key in FACTS} == FACTS
        assert facts["index"][:3] == ["key", "r0", "r1"]
        assert facts["total"] == rows * (rows - 1) // 2
        table = results["table"]
        assert table["kind"] == "dataframe"
        assert table["shape"] == [rows, 4]
        assert table["columns"] == ["count", "ratio", "kind", "name"]
        assert table["dtypes"] == ["int32", "float32", "category", "str"]
        assert table["index_name"] == "key"
        assert table["rows"][0] == [0, 0.0, "x", "item 0"]
        assert len(table["rows"]) == min(rows, 20)

        record = client.get(f"/runs/{answer.headers['X-Run-Id']}").json()
        shown = record["nodes"]["make"]["output"]
        assert shown["shape"] == [rows, 4] and shown["rows"][1][:1] == [1]
        assert record["nodes"]["facts"]["inputs"]["frame"]["kind"] == "dataframe"
