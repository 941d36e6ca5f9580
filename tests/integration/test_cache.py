"""Incremental re-runs: function outputs answered from the JetStream cache, on the real stack."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import nats
import pytest
from nats.js.api import DiscardPolicy, StreamConfig

from psynapse_common import messages
from psynapse_common.cache import cache_key
from psynapse_common.messages import NodeEvent, NodeEvents
from psynapse_common.runlog import read_run_log
from psynapse_common.subjects import Names
from tests.support.graphs import by_node, edge, fn, graph, run_async, spec_example, sse_events, stream, var, view
from tests.support.stack import copy_packs, stack_with_packs, start_nats, start_stack, stop_stack

STAMPS = '''
"""Nodes whose output changes on every call: the cache must leave the opted-out ones alone."""
import time

from psynapse import no_cache


@no_cache
def fresh_stamp(x: int = 0) -> int:
    return time.time_ns()


def kept_stamp(x: int = 0) -> int:
    return time.time_ns()
'''

VOLATILE = """
PSYNAPSE_CACHE = False

import time


def volatile_stamp(x: int = 0) -> int:
    return time.time_ns()
"""

VERSIONED = """
PSYNAPSE_VERSION = "1"


def offset(x: int) -> int:
    return x + 1


def double(x: int) -> int:
    return x * 2
"""


@pytest.fixture(scope="module")
def stack(nats_server, tmp_path_factory):
    # Every cacheable node is cached here, however quick: these tests are about what is
    # kept and found, not about which calls are worth it (the last test is).
    with stack_with_packs(
        nats_server.url,
        tmp_path_factory.mktemp("cache"),
        {"stamps": STAMPS, "volatile": VOLATILE, "versioned": VERSIONED},
        packs=("testpack", "basic", "examples"),
        env={"PSYNAPSE_CACHE_MIN_CALL_MS": "0"},
    ) as running:
        yield running


def run(stack, body: dict) -> tuple[dict, dict[str, list[dict]], str]:
    """(final event, events by node, run id) of one streamed run."""
    with stack.client(timeout=60) as client:
        headers, events = stream(client, body)
    return events[-1][1], by_node(events), headers["x-run-id"]


def completed(nodes: dict[str, list[dict]], node_id: str) -> dict:
    ends = [e for e in nodes[node_id] if e["status"] == "completed"]
    assert len(ends) == 1, nodes[node_id]
    return ends[0]


def cached(nodes: dict[str, list[dict]], *node_ids: str) -> dict[str, bool]:
    return {node_id: completed(nodes, node_id).get("cached", False) for node_id in node_ids}


def cache_entries(stack) -> int:
    async def count() -> int:
        nc = await nats.connect(stack.nats_url)
        try:
            info = await nc.jetstream().stream_info("KV_PSY_CACHE")
            return info.state.messages  # history 1: one message per key
        finally:
            await nc.close()

    return run_async(count())


def test_second_run_is_answered_from_the_cache(stack):
    body = spec_example("5", "3", "2", "4")
    first, nodes1, _ = run(stack, body)
    second, nodes2, run_id = run(stack, body)
    assert first == second == {"status": "done", "results": {"View": 48.0, "ListView": [8.0, 6.0]}}
    assert cached(nodes1, "F1", "F2", "F3") == {"F1": False, "F2": False, "F3": False}
    assert cached(nodes2, "F1", "F2", "F3") == {"F1": True, "F2": True, "F3": True}
    # A hit looks like a run node to clients: executing, then completed with its inputs.
    assert [e["status"] for e in nodes2["F3"]] == ["executing", "completed"]
    assert nodes2["F3"][0]["inputs"] == {"a": 8.0, "b": 6.0}
    assert completed(nodes2, "F3")["output"] == 48.0
    assert "cached" not in completed(nodes2, "L1")  # built-ins are never "cached"
    with stack.client() as client:
        detail = client.get(f"/runs/{run_id}").json()
    assert detail["nodes"]["F1"]["cached"] is True and detail["nodes"]["F1"]["duration_ms"] == 0
    assert detail["nodes"]["F1"]["inputs"] == {"a": 5, "b": 3} and detail["nodes"]["F1"]["output"] == 8.0
    assert detail["nodes"]["V1"]["cached"] is False


def test_a_changed_variable_reruns_only_what_depends_on_it(stack):
    run(stack, spec_example("1", "2", "3", "4"))
    final, nodes, _ = run(stack, spec_example("10", "2", "3", "4"))
    assert final["results"] == {"View": 84.0, "ListView": [12.0, 7.0]}
    assert cached(nodes, "F1", "F2", "F3") == {"F1": False, "F2": True, "F3": False}


def test_chain_members_are_keyed_by_the_inputs_they_got(stack):
    # v -> c1..c4 run as one job (their keys come from their events); w feeds c5 only.
    def chain(v: str, w: str) -> dict:
        nodes = [var("v", v), var("w", w)] + [fn(f"c{i}", "add", b=1) for i in range(1, 6)] + [view("out")]
        edges = [edge("v", "c1", "a")] + [edge(f"c{i}", f"c{i + 1}", "a") for i in range(1, 5)]
        return graph(nodes, edges + [edge("w", "c5", "b"), edge("c5", "out")])

    ids = [f"c{i}" for i in range(1, 6)]
    first, nodes, _ = run(stack, chain("0", "1"))
    assert first["results"] == {"out": 5.0} and not any(cached(nodes, *ids).values())
    again, nodes, _ = run(stack, chain("0", "1"))
    assert again == first and all(cached(nodes, *ids).values())
    last_changed, nodes, _ = run(stack, chain("0", "100"))
    assert last_changed["results"] == {"out": 104.0}
    assert [n for n, hit in cached(nodes, *ids).items() if not hit] == ["c5"]
    start_changed, nodes, _ = run(stack, chain("7", "100"))
    assert start_changed["results"] == {"out": 111.0}
    assert not any(cached(nodes, *ids).values())


def test_large_values_are_cached_by_reference(stack):
    # 300 KB travels through the object store: the key of `s` must not depend on how.
    body = graph(
        [fn("big", "make_big", kb=300), fn("s", "big_sum"), view("sv")], [edge("big", "s", "a"), edge("s", "sv")]
    )
    first, nodes1, _ = run(stack, body)
    second, nodes2, _ = run(stack, body)
    n = 300 * 128
    assert first["results"] == second["results"] == {"sv": n * (n - 1) / 2}
    assert cached(nodes1, "big", "s") == {"big": False, "s": False}
    assert cached(nodes2, "big", "s") == {"big": True, "s": True}


def test_cache_false_neither_reads_nor_writes(stack):
    body = graph([fn("f", "add", a=1000, b=1), view("v")], [edge("f", "v")])
    for _ in range(2):
        final, nodes, _ = run(stack, {**body, "cache": False})
        assert final["results"] == {"v": 1001.0} and cached(nodes, "f") == {"f": False}
    # Nothing was stored: the first cached run still runs the node; the next one hits.
    assert cached(run(stack, body)[1], "f") == {"f": False}
    assert cached(run(stack, body)[1], "f") == {"f": True}


def test_opted_out_nodes_always_run(stack):
    body = graph(
        [
            fn("fresh", "fresh_stamp"),
            fn("volatile", "volatile_stamp"),
            fn("kept", "kept_stamp"),
            fn("p", "SlowProgress", steps=3, step_ms=10),
            view("fv"),
            view("vv"),
            view("kv"),
            view("pv"),
        ],
        [edge("fresh", "fv"), edge("volatile", "vv"), edge("kept", "kv"), edge("p", "pv")],
    )
    first, nodes1, _ = run(stack, body)
    second, nodes2, _ = run(stack, body)
    assert cached(nodes2, "fresh", "volatile", "kept", "p") == {
        "fresh": False,
        "volatile": False,
        "kept": True,
        "p": True,
    }
    assert second["results"]["fv"] != first["results"]["fv"]
    assert second["results"]["vv"] != first["results"]["vv"]
    assert second["results"]["kv"] == first["results"]["kv"]
    # A cached progress node reports no progress: it just completes.
    assert [e["status"] for e in nodes1["p"]].count("progress") == 3
    assert [e["status"] for e in nodes2["p"]] == ["executing", "completed"]
    assert second["results"]["pv"] == 3


def test_editing_a_function_invalidates_its_entries(stack):
    body = graph(
        [var("x", "1"), fn("o", "offset"), fn("d", "double"), view("ov"), view("dv")],
        [edge("x", "o", "x"), edge("x", "d", "x"), edge("o", "ov"), edge("d", "dv")],
    )
    run(stack, body)
    final, nodes, _ = run(stack, body)
    assert final["results"] == {"ov": 2, "dv": 2} and all(cached(nodes, "o", "d").values())
    ops = Path(stack.nodepacks) / "versioned" / "ops.py"
    ops.write_text(ops.read_text().replace("return x + 1", "return x + 100"))
    deadline = time.monotonic() + 15
    while True:
        final, nodes, _ = run(stack, body)
        if final["results"]["ov"] == 101:
            break
        assert time.monotonic() < deadline, "the edited code never ran"
        time.sleep(0.1)
    # The edited function ran; its versioned pack's other function kept its entries.
    assert cached(nodes, "o", "d") == {"o": False, "d": True}
    assert cached(run(stack, body)[1], "o") == {"o": True}


def test_runs_with_env_vars_skip_the_cache(stack):
    body = graph(
        [fn("r", "read_env", var_name="PSY_CACHE_SECRET"), view("v")],
        [edge("r", "v")],
        env_vars={"PSY_CACHE_SECRET": "value-1"},
    )
    before = cache_entries(stack)
    for _ in range(2):
        final, nodes, _ = run(stack, body)
        assert final["results"]["v"] != "" and cached(nodes, "r") == {"r": False}
    assert cache_entries(stack) == before
    plain = {key: value for key, value in body.items() if key != "env_vars"}
    final, nodes, _ = run(stack, plain)
    assert final["results"] == {"v": ""} and cached(nodes, "r") == {"r": False}


def test_failures_are_not_cached(stack):
    body = graph([fn("boom", "fail", message="not cached"), view("v")], [edge("boom", "v")])
    before = cache_entries(stack)
    for _ in range(2):
        _, nodes, _ = run(stack, body)
        assert [e["status"] for e in nodes["boom"]] == ["executing", "error"]
        assert nodes["boom"][-1]["error"] == "not cached"
    assert cache_entries(stack) == before


def test_a_cancelled_node_stores_nothing(stack):
    body = graph([fn("p", "SlowProgress", steps=200, step_ms=20), view("v")], [edge("p", "v")])
    before = cache_entries(stack)
    with stack.client() as client:
        with client.stream("POST", "/execute/stream", json=body) as response:
            run_id = response.headers["x-run-id"]
            for _, event in sse_events(response):
                if event.get("status") == "progress":
                    assert client.post(f"/runs/{run_id}/cancel").status_code == 202
                    break
        deadline = time.monotonic() + 10
        while client.get(f"/runs/{run_id}").json()["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get(f"/runs/{run_id}").json()["status"] == "cancelled"
    time.sleep(0.5)  # the runner notices the cancel at its next progress call
    assert cache_entries(stack) == before


def _node_events(events: list) -> list[NodeEvent]:
    return [item for event in events if isinstance(event, NodeEvents) for item in event.events]


def test_entries_live_in_the_shared_bucket_under_their_key(stack):
    """Any orchestrator of any stack on this NATS reads the same entries: check the bucket itself."""
    _, _, run_id = run(stack, spec_example("21", "1", "1", "1"))

    async def check() -> tuple[bytes, bytes, StreamConfig]:
        nc = await nats.connect(stack.nats_url)
        js = nc.jetstream()
        try:
            names = Names()
            log = await read_run_log(js, names, run_id)
            event = next(e for e in _node_events(log) if e.node_id == "F1" and e.status == "completed")
            catalog_entry = await (await js.key_value("PSY_SCHEMA")).get("catalog")
            assert catalog_entry.value is not None
            catalog = messages.catalog_decoder.decode(catalog_entry.value)
            spec = catalog.nodes["add"]
            key = cache_key(spec.code_hash, "add", event.inputs)
            kv = await js.key_value("PSY_CACHE")
            deadline = time.monotonic() + 5
            while True:
                try:
                    entry = await kv.get(key)
                    break
                except nats.js.errors.KeyNotFoundError:
                    assert time.monotonic() < deadline, "F1's output was never stored"
                    await asyncio.sleep(0.05)
            assert entry.value is not None
            config = (await js.stream_info("KV_PSY_CACHE")).config
            return bytes(event.output), entry.value, config
        finally:
            await nc.close()

    output, stored, config = run_async(check())
    assert stored == output
    assert config.max_msgs_per_subject == 1 and config.max_age == 24 * 3600
    assert config.max_bytes == 256 * 1024 * 1024 and config.discard in ("old", DiscardPolicy.OLD)


def test_calls_cheaper_than_the_cache_itself_are_not_cached(tmp_path):
    """With the default threshold a function proven to take microseconds just runs again."""
    packs = copy_packs(tmp_path / "nodepacks", "testpack", "basic")
    data = tmp_path / "data"
    data.mkdir()
    # A NATS of its own: the module's stack, with another threshold, must not take these runs.
    own_nats = start_nats(tmp_path / "jetstream")
    stack = start_stack(own_nats.url, packs, data)
    try:

        def body(x: int) -> dict:
            return graph(
                [var("x", str(x)), fn("cheap", "add", b=1), fn("costly", "slow_identity", ms=5), view("v")],
                [edge("x", "cheap", "a"), edge("cheap", "costly", "x"), edge("costly", "v")],
            )

        # The orchestrator learns what they cost from a moving average: enough calls that a
        # slow first one (a fresh runner, a busy machine) has faded from it.
        for x in range(8):
            run(stack, body(x))
        _, nodes, _ = run(stack, body(0))
        assert cached(nodes, "cheap", "costly") == {"cheap": False, "costly": True}
    finally:
        stop_stack(stack.process)
        own_nats.stop()
