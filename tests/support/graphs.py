"""Small builders for request bodies, so tests read like the graphs they send."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import httpx
from httpx_sse import EventSource

T = TypeVar("T")


def var(node_id: str, value: Any, kind: str = "Number", **extra: Any) -> dict:
    return {"id": node_id, "type": "variableNode", "data": {"variableType": kind, "variableValue": value, **extra}}


def fn(node_id: str, name: str, **data: Any) -> dict:
    return {"id": node_id, "type": "functionNode", "data": {"functionName": name, **data}}


def view(node_id: str) -> dict:
    return {"id": node_id, "type": "viewNode", "data": {}}


def lst(node_id: str) -> dict:
    return {"id": node_id, "type": "listNode", "data": {}}


def edge(source: str, target: str, target_handle: str = "input", source_handle: str = "output") -> dict:
    return {"source": source, "target": target, "sourceHandle": source_handle, "targetHandle": target_handle}


def graph(nodes: list[dict], edges: list[dict], **extra: Any) -> dict:
    return {"nodes": nodes, "edges": edges, **extra}


def spec_example(v1: str = "5", v2: str = "3", v3: str = "2", v4: str = "4") -> dict:
    """The spec's example graph: (5+3)*(2+4) = 48, and a list of both sums (or other values)."""
    return graph(
        [
            var("V1", v1),
            var("V2", v2),
            var("V3", v3),
            var("V4", v4),
            fn("F1", "add", a=0, b=0),
            fn("F2", "add", a=0, b=0),
            fn("F3", "multiply", a=0, b=0),
            lst("L1"),
            view("View"),
            view("ListView"),
        ],
        [
            edge("V1", "F1", "a"),
            edge("V2", "F1", "b"),
            edge("V3", "F2", "a"),
            edge("V4", "F2", "b"),
            edge("F1", "F3", "a"),
            edge("F2", "F3", "b"),
            edge("F2", "L1", "input-1"),
            edge("F1", "L1", "input-0"),
            edge("F3", "View"),
            edge("L1", "ListView"),
        ],
    )


def if_graph(condition: bool, ms: int = 50) -> dict:
    """An If on ``condition`` over 5: true to slow_identity (``ms``) then vy, false to add 100 then vn."""
    return graph(
        [
            var("c", condition, "Boolean"),
            var("x", "5"),
            {"id": "if", "type": "ifNode", "data": {}},
            fn("yes", "slow_identity", ms=ms),
            fn("no", "add", b=100),
            view("vy"),
            view("vn"),
        ],
        [
            edge("c", "if", "condition"),
            edge("x", "if", "value"),
            edge("if", "yes", "x", "true"),
            edge("if", "no", "a", "false"),
            edge("yes", "vy"),
            edge("no", "vn"),
        ],
    )


def sse_events(response: httpx.Response) -> Iterator[tuple[str | None, dict]]:
    """(id, data) of each message of an SSE response, as a browser's EventSource reads them."""
    for message in EventSource(response).iter_sse():
        yield message.id or None, json.loads(message.data)


def stream(client: httpx.Client, body: dict) -> tuple[httpx.Headers, list[tuple[str | None, dict]]]:
    with client.stream("POST", "/execute/stream", json=body) as response:
        assert response.status_code == 200, response.read()
        return response.headers, list(sse_events(response))


def by_node(events: list[tuple[str | None, dict]]) -> dict[str, list[dict]]:
    nodes: dict[str, list[dict]] = {}
    for _, data in events:
        if "node_id" in data:
            nodes.setdefault(data["node_id"], []).append(data)
    return nodes


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh loop in its own thread.

    The browser tests' sync Playwright keeps an event loop on the main thread,
    so asyncio.run() there would refuse.
    """
    import asyncio
    import threading

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def stored_counts(nats_url: str, run_id: str | None = None) -> tuple[int, int]:
    """Jobs stored in PSY_JOBS so far, and the event messages stored for one run."""
    import nats

    async def counts() -> tuple[int, int]:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        jobs = (await js.stream_info("PSY_JOBS")).state.last_seq
        events = 0
        if run_id is not None:
            info = await js.stream_info("PSY_EVENTS", subjects_filter=f"psynapse.events.{run_id}.>")
            events = sum((info.state.subjects or {}).values())
        await nc.close()
        return jobs, events

    return run_async(counts())


def runs_submitted(nats_url: str) -> int:
    """Run submits stored in PSY_RUNS so far: what the orchestrators were given."""
    import nats

    async def last_seq() -> int:
        nc = await nats.connect(nats_url)
        seq = (await nc.jetstream().stream_info("PSY_RUNS")).state.last_seq
        await nc.close()
        return seq

    return run_async(last_seq())


def stored_node_events(nats_url: str, run_id: str) -> list[tuple[str, str]]:
    """(node id, status) of every node event stored for one run, in log order.

    Read message by message with direct gets: no consumer is made, so a test may read
    hundreds of runs' logs.
    """
    import nats
    from nats.js.errors import NotFoundError

    from psynapse_common.messages import NodeEvents, event_decoder
    from psynapse_common.subjects import Names

    names = Names()

    async def read() -> list[tuple[str, str]]:
        nc = await nats.connect(nats_url)
        found: list[tuple[str, str]] = []
        try:
            js = nc.jetstream()
            sequence = 0
            while True:
                try:
                    msg = await js.get_msg(
                        names.events_stream, seq=sequence + 1, subject=names.run_events(run_id), next=True
                    )
                except NotFoundError:
                    return found
                sequence = msg.seq or sequence + 1
                event = event_decoder.decode(msg.data or b"")
                if isinstance(event, NodeEvents):
                    found += [(item.node_id, item.status) for item in event.events]
        finally:
            await nc.close()

    return run_async(read())


def terminal_counts(nats_url: str, run_id: str) -> dict[str, int]:
    """How many ends (completed or error) the stored log holds per node: one each, always."""
    counts: dict[str, int] = {}
    for node_id, status in stored_node_events(nats_url, run_id):
        if status not in ("executing", "retrying"):
            counts[node_id] = counts.get(node_id, 0) + 1
    return counts


def wait_for(check: Any, within_s: float = 15.0, pause_s: float = 0.05) -> Any:
    """Poll ``check()`` until it gives something truthy (returned), failing after ``within_s``."""
    deadline = time.monotonic() + within_s
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not so within {within_s} s: {check}")
        time.sleep(pause_s)


def metric_sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = (
        rf"^{re.escape(name)}(?:\{{{re.escape(wanted)}\}})? ([0-9.e+-]+)$"
        if wanted
        else rf"^{re.escape(name)} ([0-9.e+-]+)$"
    )
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def editor_file() -> dict:
    """The spec example as the editor's Export writes it."""
    body = spec_example()
    nodes = []
    for index, node in enumerate(body["nodes"]):
        data = dict(node["data"])
        if node["type"] == "variableNode":
            data |= {
                "llmMessageFormat": False,
                "llmMessageRole": "user",
                "textContentFormat": False,
                "imageContentFormat": False,
                "variableName": "x" if node["id"] == "V1" else "",
            }
        nodes.append({"id": node["id"], "type": node["type"], "position": {"x": index * 10, "y": 0}, "data": data})
    edges = [{"id": f"e{i}", **e} for i, e in enumerate(body["edges"])]
    return {"version": 1, "nodes": nodes, "edges": edges}


def settled(client, run_id: str) -> dict:
    """GET /runs/{id} once the run's end is stored: /execute answers as soon as the
    final event is published, a moment before the events stream has stored it."""
    deadline = time.monotonic() + 10
    while True:
        answer = client.get(f"/runs/{run_id}")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if body["status"] != "running" or time.monotonic() > deadline:
            return body
        time.sleep(0.02)
