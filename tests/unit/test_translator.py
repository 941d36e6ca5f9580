"""The gateway's translation of run events into the spec's SSE objects."""

from __future__ import annotations

import msgspec

from psynapse_common.codec import encode
from psynapse_common.messages import NodeEvent, NodeEvents, NodeStatus, ProgressEvent, RunEvent, StreamEvent
from psynapse_gateway.translator import SseTranslator


def _raw(value: object) -> msgspec.Raw:
    return msgspec.Raw(encode(value))


def node(node_id: str, status: NodeStatus, **kw) -> NodeEvents:
    return NodeEvents(run_id="r", events=[item(node_id, status, **kw)])


def item(node_id: str, status: NodeStatus, **kw) -> NodeEvent:
    return NodeEvent(node_id=node_id, node_name=kw.pop("name", "op"), status=status, **kw)


def test_numbers_inputs_text_and_done():
    t = SseTranslator()
    out = []
    out += t.translate(node("a", "executing", inputs={"x": _raw(1)}))
    out += t.translate(ProgressEvent(run_id="r", node_id="a", progress=0.5, message="half"))
    out += t.translate(node("b", "executing"))
    out += t.translate(StreamEvent(run_id="r", node_id="b", chunk="He"))
    out += t.translate(StreamEvent(run_id="r", node_id="b", chunk="llo"))
    out += t.translate(node("a", "completed", output=_raw(2)))
    out += t.translate(RunEvent(run_id="r", status="done", results={"v": _raw(2)}))
    assert out[0] == {"node_id": "a", "node_number": 1, "node_name": "op", "status": "executing", "inputs": {"x": 1}}
    assert out[1] == {
        "node_id": "a",
        "node_number": 1,
        "node_name": "op",
        "status": "progress",
        "progress": 0.5,
        "progress_message": "half",
        "inputs": {"x": 1},
    }
    assert out[4]["streaming_text"] == "Hello" and out[4]["streaming_chunk"] == "llo"
    assert out[4]["node_number"] == 2
    assert out[5] == {
        "node_id": "a",
        "node_number": 1,
        "node_name": "op",
        "status": "completed",
        "inputs": {"x": 1},
        "output": 2,
    }
    assert out[6] == {"status": "done", "results": {"v": 2}}
    assert t.finished


def test_ends_without_a_start_open_with_one_and_a_node_ends_once():
    t = SseTranslator()
    t.translate(node("slow", "executing"))
    batch = NodeEvents(
        run_id="r",
        events=[
            item("v", "completed", name="Variable", output=_raw(5)),
            item("slow", "completed", output=_raw(1)),
            item("w", "error", name="View", error="Input failed"),
        ],
    )
    out = t.translate(batch)
    assert [(o["node_id"], o["status"], o["node_number"]) for o in out] == [
        ("v", "executing", 2),
        ("v", "completed", 2),
        ("slow", "completed", 1),
        ("w", "executing", 3),
        ("w", "error", 3),
    ]
    assert out[0] == {"node_id": "v", "node_number": 2, "node_name": "Variable", "status": "executing", "inputs": {}}
    assert t.translate(node("v", "completed", output=_raw(6))) == []
    final = t.translate(RunEvent(run_id="r", status="error", error="cancelled"))
    assert final == [{"status": "error", "error": "cancelled"}]


def test_a_node_that_never_ran_says_why_and_a_raised_one_where():
    from psynapse_common.graph import upstream_failure

    t = SseTranslator()
    raised = t.translate(
        node(
            "d",
            "error",
            name="divide",
            error="division by zero",
            traceback='Traceback (most recent call last):\n  File "ops.py", line 3\nZeroDivisionError',
        )
    )
    skipped = t.translate(node("v", "error", name="View", error=upstream_failure("input", "d", "divide")))
    stopped = t.translate(node("p", "error", error="cancelled"))
    assert raised[1]["traceback"].startswith("Traceback") and "error_kind" not in raised[1]
    assert skipped[1]["error_kind"] == "upstream" and "traceback" not in skipped[1]
    assert skipped[1]["error"] == "Input 'input' failed: node 'd' (divide) did not complete"
    assert stopped[1]["error_kind"] == "cancelled"


def test_retries_are_announced_and_their_node_ends_with_its_attempts():
    t = SseTranslator()
    out = t.translate(node("w", "executing", name="Words", inputs={"x": _raw(1)}))
    out += t.translate(StreamEvent(run_id="r", node_id="w", chunk="half "))
    out += t.translate(node("w", "retrying", name="Words", error="boom", tries=2, max_tries=3, delay_s=0.5))
    out += t.translate(StreamEvent(run_id="r", node_id="w", chunk="again"))
    out += t.translate(node("w", "completed", name="Words", output=_raw(2), tries=2))
    assert out[2] == {
        "node_id": "w",
        "node_number": 1,
        "node_name": "Words",
        "status": "retrying",
        "inputs": {"x": 1},
        "attempt": 2,
        "max_attempts": 3,
        "error": "boom",
        "delay_s": 0.5,
    }
    assert out[3]["streaming_text"] == "again"  # the new call's text starts afresh
    assert out[4]["status"] == "completed" and out[4]["attempts"] == 2
    # A retry of a node not started yet (a quick one) starts it first; a timeout is said.
    late = t.translate(node("q", "retrying", error="e", tries=2, max_tries=2, delay_s=0.1))
    assert [body["status"] for body in late] == ["executing", "retrying"]
    [failed] = t.translate(node("q", "error", error="timed out after 1 s", timed_out=True, tries=2))
    assert failed["error_kind"] == "timeout" and failed["attempts"] == 2
