"""The segment walk alone: a job in, events, calls, lookups and cache entries out.

Driven in this thread (``run_here``), with the real nodepack code and a dict for
the cache bucket: what the runner does, minus NATS.
"""

from __future__ import annotations

import msgspec
import pytest

from psynapse_common import codec
from psynapse_common.execute import SegmentRun, run_here
from psynapse_common.graph import build_plan
from psynapse_common.messages import GraphEdge, GraphNode, Job, NodeEvent
from psynapse_common.nodepacks import load_catalog
from psynapse_common.segments import cut
from psynapse_common.wiring import Wiring
from psynapse_schema.catalog import snapshot_of
from tests.support.segment_graphs import e, fn, var, view
from tests.support.stack import copy_packs


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return load_catalog(copy_packs(tmp_path_factory.mktemp("packs"), "basic", "testpack"))


class Cache(dict):
    """The cache bucket as a dict, counting the requests made of it."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[list[str]] = []

    def look_up(self, keys: list[str]) -> list[msgspec.Raw | None]:
        self.requests.append(list(keys))
        return [self.get(key) for key in keys]


def job_of(catalog, nodes, edges, heavy=(), cache=False) -> Job:
    plan = build_plan(nodes, edges, snapshot_of(catalog, 1).nodes)
    [segment] = cut(plan, set(heavy))
    steps = Wiring(plan).steps(
        segment.nodes, [n for n in segment.nodes if n not in heavy], segment.nodes if cache else ()
    )
    return Job(run_id="r", steps=steps)


def walk(catalog, job: Job, cache: Cache | None = None) -> tuple[list[list[NodeEvent]], SegmentRun]:
    run = SegmentRun(job, catalog.nodes.get, use_cache=cache is not None)
    messages: list[list[NodeEvent]] = []
    run_here(
        run,
        lambda events: messages.append(events) if events else None,
        look_up=cache.look_up if cache is not None else None,
    )
    if cache is not None:
        for key, value, _ in run.stores:
            cache[key] = value
    return messages, run


def shown(events: list[NodeEvent]) -> list[tuple[str, str]]:
    return [(event.node_id, event.status) for event in events]


def example(v1: int = 5) -> tuple[list[GraphNode], list[GraphEdge]]:
    nodes = [
        var("V1", v1),
        var("V2", 3),
        var("V3", 2),
        var("V4", 4),
        fn("F1", "add"),
        fn("F2", "add"),
        fn("F3", "multiply"),
        GraphNode(id="L", type="listNode"),
        view("W"),
    ]
    edges = [
        e("V1", "F1", "a"),
        e("V2", "F1", "b"),
        e("V3", "F2", "a"),
        e("V4", "F2", "b"),
        e("F1", "F3", "a"),
        e("F2", "F3", "b"),
        e("F1", "L", "input-1"),
        e("F2", "L", "input-0"),
        e("F3", "W"),
    ]
    return nodes, edges


def test_a_quick_segment_runs_in_order_and_publishes_once(catalog):
    messages, run = walk(catalog, job_of(catalog, *example()))
    assert len(messages) == 1
    [events] = messages
    assert shown(events) == [
        ("V1", "completed"),
        ("V2", "completed"),
        ("V3", "completed"),
        ("V4", "completed"),
        ("F1", "completed"),
        ("F2", "completed"),
        ("F3", "completed"),
        ("L", "completed"),
        ("W", "completed"),
    ]
    by_id = {event.node_id: event for event in events}
    assert codec.decode(by_id["W"].output) == 48
    assert codec.decode(by_id["L"].output) == [6, 8]  # list order follows the handles, not the wires
    assert {k: codec.decode(v) for k, v in by_id["F3"].inputs.items()} == {"a": 8, "b": 6}
    assert by_id["F1"].duration_ms is not None and by_id["V1"].duration_ms == 0.0
    assert not run.stores  # no cache asked for


def test_a_slow_step_goes_out_alone_between_what_came_before_and_after(catalog):
    nodes = [var("x", 7), fn("s", "slow_identity", ms=0), fn("a", "add", b=1), view("w")]
    edges = [e("x", "s", "x"), e("s", "a", "a"), e("a", "w")]
    messages, _ = walk(catalog, job_of(catalog, nodes, edges, heavy={"s"}))
    assert [shown(m) for m in messages] == [
        [("x", "completed")],
        [("s", "executing")],
        [("s", "completed")],
        [("a", "completed"), ("w", "completed")],
    ]


def test_a_failure_skips_what_depends_on_it_and_nothing_else(catalog):
    nodes = [
        var("a", 1),
        var("z", 0),
        fn("d", "divide"),
        fn("after", "add", b=1),
        view("w1"),
        fn("ok", "add", a=1, b=2),
        view("w2"),
    ]
    edges = [e("a", "d", "a"), e("z", "d", "b"), e("d", "after", "a"), e("after", "w1"), e("ok", "w2")]
    [events], _ = walk(catalog, job_of(catalog, nodes, edges))
    assert shown(events) == [
        ("a", "completed"),
        ("z", "completed"),
        ("d", "error"),
        ("ok", "completed"),
        ("w2", "completed"),
    ]
    assert events[2].error == "division by zero"
    # Where the node's own code raised: its frames, none of ours.
    trace = events[2].traceback
    assert trace is not None
    assert trace.startswith("Traceback (most recent call last):") and trace.rstrip().endswith(
        "ZeroDivisionError: division by zero"
    )
    assert "basic/ops.py" in trace and "in divide" in trace and "psynapse_common" not in trace


def test_a_missing_input_has_no_traceback(catalog):
    [events], _ = walk(catalog, job_of(catalog, [fn("d", "divide", a=1)], []))
    assert events[0].error == "input 'b' is not connected and has no value" and events[0].traceback is None


def test_multi_output_keys_feed_their_own_wires(catalog):
    nodes = [fn("s", "split_pair", text="ab:cd"), view("l"), view("r")]
    edges = [e("s", "l", source_handle="left"), e("s", "r", source_handle="right")]
    [events], _ = walk(catalog, job_of(catalog, nodes, edges))
    assert {ev.node_id: codec.decode(ev.output) for ev in events if ev.node_id in "lr"} == {"l": "ab", "r": "cd"}


def test_the_cache_answers_an_unchanged_segment_in_one_request(catalog):
    cache = Cache()
    walk(catalog, job_of(catalog, *example(), cache=True), cache)
    # Known up front: F1 and F2 by their inputs (fed by variables), F3 by its lineage.
    assert len(cache.requests) == 1 and len(cache.requests[0]) == 3
    assert sorted(key.startswith("l.") for key in cache) == [False, False, True]
    cache.requests.clear()
    [events], _ = walk(catalog, job_of(catalog, *example(), cache=True), cache)
    assert {ev.node_id for ev in events if ev.cached} == {"F1", "F2", "F3"}
    assert codec.decode(next(ev for ev in events if ev.node_id == "W").output) == 48
    assert len(cache.requests) == 1


def test_a_change_upstream_runs_what_it_reaches_and_finds_the_rest(catalog):
    cache = Cache()
    walk(catalog, job_of(catalog, *example(5), cache=True), cache)
    cache.requests.clear()
    [events], _ = walk(catalog, job_of(catalog, *example(6), cache=True), cache)
    assert {ev.node_id for ev in events if ev.cached} == {"F2"}
    assert codec.decode(next(ev for ev in events if ev.node_id == "W").output) == 54
    assert len(cache.requests) == 1  # quick steps downstream of the change just run


def test_a_slow_step_whose_key_comes_late_is_looked_up_alone(catalog):
    nodes = [var("x", 7), fn("a", "add", b=1), fn("s", "slow_identity", ms=0), view("w")]
    edges = [e("x", "a", "a"), e("a", "s", "x"), e("s", "w")]
    cache = Cache()
    walk(catalog, job_of(catalog, nodes, edges, heavy={"s"}, cache=True), cache)
    nodes[0] = var("x", 7.0)  # a new key for a, the same output: s's key is the same again
    cache.requests.clear()
    messages, _ = walk(catalog, job_of(catalog, nodes, edges, heavy={"s"}, cache=True), cache)
    ends = {ev.node_id: ev for m in messages for ev in m if ev.status != "executing"}
    assert ends["s"].cached and not ends["a"].cached
    # The known keys and lineages first, then s's own key once a had run.
    assert len(cache.requests) == 2 and len(cache.requests[-1]) == 1


def test_steps_not_worth_caching_are_neither_looked_up_nor_stored_but_lead_to_those_that_are(catalog):
    nodes = [var("x", 7), fn("a", "add", b=1), fn("s", "slow_identity", ms=0), view("w")]
    edges = [e("x", "a", "a"), e("a", "s", "x"), e("s", "w")]
    plan = build_plan(nodes, edges, snapshot_of(catalog, 1).nodes)
    job = Job(run_id="r", steps=Wiring(plan).steps(plan.order, quick=["a"], cached=["s"]))
    cache = Cache()
    walk(catalog, job, cache)
    # Only s is looked up: by its lineage (through a) first, then by its inputs, being
    # slow; it is stored under both. a is neither looked up nor stored.
    assert len(cache) == 2 and [len(keys) for keys in cache.requests] == [1, 1]
    cache.requests.clear()
    messages, _ = walk(catalog, job, cache)
    ends = {ev.node_id: ev for m in messages for ev in m if ev.status != "executing"}
    assert ends["s"].cached and not ends["a"].cached
    assert len(cache.requests) == 1
