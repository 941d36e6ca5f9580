"""Builders for subgraph, map and loop nodes, and the small workflows they run, saved
on a stack by the control-flow tests."""

from __future__ import annotations

from tests.support.graphs import edge, fn, graph, var


def named_var(node_id: str, name: str, value="0", kind: str = "Number") -> dict:
    return var(node_id, value, kind, variableName=name)


def named_view(node_id: str, name: str) -> dict:
    return {"id": node_id, "type": "viewNode", "data": {"viewName": name}}


WORKFLOWS = {
    # result = x + 1
    "cf_add_one": graph(
        [named_var("x", "x"), fn("f", "add", b=1), named_view("out", "result")],
        [edge("x", "f", "a"), edge("f", "out")],
    ),
    # result = x after ms milliseconds
    "cf_sleepy": graph(
        [named_var("x", "x"), named_var("ms", "ms", "100"), fn("s", "slow_identity"), named_view("out", "result")],
        [edge("x", "s", "x"), edge("ms", "s", "ms"), edge("s", "out")],
    ),
    # result = 10 / x (x = 0 fails)
    "cf_inverse": graph(
        [named_var("x", "x"), var("ten", "10"), fn("d", "divide"), named_view("out", "result")],
        [edge("ten", "d", "a"), edge("x", "d", "b"), edge("d", "out")],
    ),
    # n = n * 2, more = n * 2 < limit
    "cf_double": graph(
        [
            named_var("n", "n", "1"),
            named_var("limit", "limit", "100"),
            fn("m", "multiply", b=2),
            fn("lt", "less_than"),
            named_view("vn", "n"),
            named_view("vm", "more"),
        ],
        [edge("n", "m", "a"), edge("m", "lt", "a"), edge("limit", "lt", "b"), edge("m", "vn"), edge("lt", "vm")],
    ),
    # a progress node that takes its time, then more = true: a loop that never ends by itself
    "cf_forever": graph(
        [
            named_var("n", "n", "1"),
            fn("p", "SlowProgress", steps=5, step_ms=40),
            var("yes", True, "Boolean"),
            named_view("vn", "n"),
            named_view("vm", "more"),
        ],
        [edge("n", "vn"), edge("yes", "vm")],
    ),
}


def subgraph(node_id: str, workflow: str, **data) -> dict:
    return {"id": node_id, "type": "subgraphNode", "data": {"workflow": workflow, **data}}


def map_node(node_id: str, workflow: str, item: str = "x", **data) -> dict:
    return {"id": node_id, "type": "mapNode", "data": {"workflow": workflow, "itemInput": item, **data}}


def loop_node(node_id: str, workflow: str, condition: str = "more", **data) -> dict:
    return {"id": node_id, "type": "loopNode", "data": {"workflow": workflow, "whileOutput": condition, **data}}


def items(node_id: str, values: list) -> dict:
    return var(node_id, str(values), "List")
