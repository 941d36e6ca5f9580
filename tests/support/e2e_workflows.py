"""Workflow files (the editor's export format) for the e2e tests."""

from __future__ import annotations


def variable(node_id: str, x: int, y: int, value, kind: str = "Number") -> dict:
    return {
        "id": node_id,
        "type": "variableNode",
        "position": {"x": x, "y": y},
        "data": {"variableType": kind, "variableValue": value, "llmMessageRole": "user"},
    }


def function(node_id: str, name: str, x: int, y: int, **params) -> dict:
    return {
        "id": node_id,
        "type": "functionNode",
        "position": {"x": x, "y": y},
        "data": {"functionName": name, **params},
    }


def view(node_id: str, x: int, y: int) -> dict:
    return {"id": node_id, "type": "viewNode", "position": {"x": x, "y": y}, "data": {}}


def edge(source: str, target: str, target_handle: str, source_handle: str = "output") -> dict:
    return {"source": source, "target": target, "sourceHandle": source_handle, "targetHandle": target_handle}


def example_graph() -> dict:
    """The spec's example: (5 + 3) * (2 + 4) = 48, with a list of both sums."""
    return {
        "nodes": [
            variable("V1", 0, 0, "5"),
            variable("V2", 0, 230, "3"),
            variable("V3", 0, 460, "2"),
            variable("V4", 0, 690, "4"),
            function("F1", "add", 300, 120),
            function("F2", "add", 300, 580),
            function("F3", "multiply", 600, 300),
            {"id": "L1", "type": "listNode", "position": {"x": 600, "y": 560}, "data": {}},
            view("View", 880, 320),
        ],
        "edges": [
            edge("V1", "F1", "a"),
            edge("V2", "F1", "b"),
            edge("V3", "F2", "a"),
            edge("V4", "F2", "b"),
            edge("F1", "F3", "a"),
            edge("F2", "F3", "b"),
            edge("F1", "L1", "input-0"),
            edge("F2", "L1", "input-1"),
            edge("F3", "View", "input"),
        ],
    }


def progress_graph(count: int = 10, delay_ms: int = 150) -> dict:
    return {
        "nodes": [
            function("P1", "CountWithProgress", 0, 0, count=count, delay_ms=delay_ms),
            view("W1", 320, 0),
        ],
        "edges": [edge("P1", "W1", "input")],
    }


def stream_graph(text: str, delay_ms: int = 120) -> dict:
    return {
        "nodes": [
            variable("T1", 0, 0, text, kind="String"),
            function("S1", "EchoStream", 300, 0, delay_ms=delay_ms),
            view("W1", 620, 0),
        ],
        "edges": [edge("T1", "S1", "text"), edge("S1", "W1", "input")],
    }


def divide_by_zero_graph() -> dict:
    return {
        "nodes": [
            variable("A", 0, 0, "10"),
            variable("B", 0, 200, "0"),
            function("D1", "divide", 300, 80),
            view("W1", 600, 80),
        ],
        "edges": [edge("A", "D1", "a"), edge("B", "D1", "b"), edge("D1", "W1", "input")],
    }


def chain_graph(count: int) -> dict:
    """`count` nodes: a variable, then add nodes in a grid, each adding 1 to the previous."""
    nodes = [variable("n0", 0, 0, "0")]
    edges = []
    columns = 15
    for i in range(1, count - 1):
        nodes.append(function(f"n{i}", "add", (i % columns) * 280, (i // columns) * 200, b=1))
        edges.append(edge(f"n{i - 1}", f"n{i}", "a"))
    nodes.append(view(f"n{count - 1}", ((count - 1) % columns) * 280, ((count - 1) // columns) * 200))
    edges.append(edge(f"n{count - 2}", f"n{count - 1}", "input"))
    return {"nodes": nodes, "edges": edges}


def many_progress_graph(nodes: int, count: int, delay_ms: int = 0) -> dict:
    """``nodes`` progress nodes counting to ``count``, ``count + 1``, ...: each a call of its own,
    so none is answered from another's cache entry."""
    graph: dict[str, list[dict]] = {"nodes": [], "edges": []}
    for i in range(nodes):
        graph["nodes"].append(
            function(f"P{i}", "CountWithProgress", (i % 6) * 300, (i // 6) * 160, count=count + i, delay_ms=delay_ms)
        )
    return graph
