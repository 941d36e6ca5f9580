"""The spec's advanced types on a real stack, over HTTP: pandas DataFrames travel intact
between nodes (also through the object store) and show as a table preview in views and
history; a file uploaded to the gateway reaches a ``Path`` input as a local file."""

from __future__ import annotations

import hashlib

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


def test_an_uploaded_file_reaches_a_path_input_as_a_local_file(stack):
    content = "name,count\na,1\nb,2\n"
    with stack.client() as client:
        schema = next(s for s in client.get("/get_schema").json() if s["name"] == "read_file")
        assert schema["params"] == [{"name": "path", "type": "Path"}]
        uploaded = client.post("/files", files={"file": ("../sales data.csv", content.encode(), "text/csv")})
        assert uploaded.status_code == 201, uploaded.text
        ref = uploaded.json()
        assert ref == {
            "psynapse_file": hashlib.sha256(content.encode()).hexdigest(),
            "name": "sales data.csv",
            "size": 19,
        }
        again = client.post("/files", files={"file": ("sales data.csv", content.encode())})
        assert again.json() == ref  # kept once per content

        answer = client.post(
            "/execute", json=graph([fn("read", "read_file", path=ref), view("out")], [edge("read", "out")])
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"]["out"] == {
            "type": "PosixPath",
            "name": "sales data.csv",
            "size": 19,
            "text": content,
        }
        record = client.get(f"/runs/{answer.headers['X-Run-Id']}").json()
        assert record["nodes"]["read"]["inputs"] == {"path": ref}  # history shows the reference, not the bytes


def test_a_file_reference_to_nothing_fails_its_node_saying_so(stack):
    ref = {"psynapse_file": "0" * 64, "name": "gone.txt", "size": 3}
    with stack.client() as client:
        answer = client.post(
            "/execute", json=graph([fn("read", "read_file", path=ref), view("out")], [edge("read", "out")])
        )
    errors = answer.json()["errors"]
    assert "'gone.txt' is no longer in the object store" in errors["read"]
    assert "upload it again" in errors["read"]


def test_a_path_input_takes_a_typed_path_too(stack, tmp_path):
    target = tmp_path / "typed.txt"
    target.write_text("typed")
    with stack.client() as client:
        answer = client.post(
            "/execute", json=graph([fn("read", "read_file", path=str(target)), view("out")], [edge("read", "out")])
        )
    assert answer.json()["results"]["out"]["text"] == "typed"


def test_an_upload_without_a_file_is_a_400(stack):
    with stack.client() as client:
        answers = [
            client.post("/files", json={"not": "a file"}),
            client.post("/files", files={"other": ("x.txt", b"x")}),
            client.post("/files", data={"file": "text, not a file"}, files={"other": ("x.txt", b"x")}),
        ]
    assert [answer.status_code for answer in answers] == [400, 400, 400], [answer.text for answer in answers]
