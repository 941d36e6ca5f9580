"""The gateway's translation of run events into the spec's SSE objects."""

from __future__ import annotations

from psynapse_common.codec import encode_raw
from psynapse_common.messages import NodeBatch, NodeEvent, ProgressEvent, RunEvent, StreamEvent
from psynapse_gateway.sse import SseTranslator


def node(node_id: str, status: str, **kw) -> NodeEvent:
    return NodeEvent(run_id="r", node_id=node_id, node_name=kw.pop("name", "op"), status=status, **kw)


def test_numbers_inputs_text_and_done():
    t = SseTranslator()
    out = []
    out += t.translate(node("a", "executing", inputs={"x": encode_raw(1)}))
    out += t.translate(ProgressEvent(run_id="r", node_id="a", progress=0.5, message="half"))
    out += t.translate(node("b", "executing"))
    out += t.translate(StreamEvent(run_id="r", node_id="b", chunk="He"))
    out += t.translate(StreamEvent(run_id="r", node_id="b", chunk="llo"))
    out += t.translate(node("a", "completed", output=encode_raw(2)))
    out += t.translate(RunEvent(run_id="r", status="done", results={"v": encode_raw(2)}))
    assert out[0] == {"node_id": "a", "node_number": 1, "node_name": "op", "status": "executing", "inputs": {"x": 1}}
    assert out[1] == {"node_id": "a", "node_number": 1, "node_name": "op", "status": "progress",
                      "progress": 0.5, "progress_message": "half", "inputs": {"x": 1}}
    assert out[4]["streaming_text"] == "Hello" and out[4]["streaming_chunk"] == "llo"
    assert out[4]["node_number"] == 2
    assert out[5] == {"node_id": "a", "node_number": 1, "node_name": "op", "status": "completed",
                      "inputs": {"x": 1}, "output": 2}
    assert out[6] == {"status": "done", "results": {"v": 2}}
    assert t.finished


def test_instant_and_batched_events_expand_and_a_node_ends_once():
    t = SseTranslator()
    batch = NodeBatch(run_id="r", events=[
        node("v", "completed", name="Variable", output=encode_raw(5), instant=True),
        node("w", "error", name="View", error="Input failed", instant=True),
    ])
    out = t.translate(batch)
    assert [(o["node_id"], o["status"], o["node_number"]) for o in out] == [
        ("v", "executing", 1), ("v", "completed", 1), ("w", "executing", 2), ("w", "error", 2)]
    assert t.translate(node("v", "completed", output=encode_raw(6))) == []
    final = t.translate(RunEvent(run_id="r", status="error", error="cancelled",
                                 nodes=[node("z", "error", error="cancelled", instant=True)]))
    assert [o.get("status") for o in final] == ["executing", "error", "error"]
    assert final[-1] == {"status": "error", "error": "cancelled"}
