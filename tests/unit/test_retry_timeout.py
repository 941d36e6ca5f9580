"""Retries and timeouts without services: the SDK's decorators, the loader's policies,
a node's settings over them, and the segment walk that retries (driven in this thread)."""

from __future__ import annotations

import time

import pytest

from psynapse import retry, timeout
from psynapse.sdk import RETRY_ATTR, TIMEOUT_ATTR, exception_name, retry_delay, retry_matches, retry_policy
from psynapse_common.execute import SegmentRun, run_here
from psynapse_common.graph import GraphError, build_plan
from psynapse_common.messages import GraphNode, Job, NodeEvent
from psynapse_common.nodepacks import load_catalog
from psynapse_common.policies import policy_of
from psynapse_common.segments import cut
from psynapse_common.wiring import Wiring
from psynapse_schema.catalog import snapshot_of
from tests.support.stack import copy_packs


# -- the SDK -------------------------------------------------------------------------
def test_retry_marks_the_function_itself_with_a_checked_policy():
    @retry(times=4, backoff_s=0.25, max_backoff_s=2, on=(TimeoutError, ConnectionError))
    def fetch(url: str) -> str:
        return url

    assert fetch("x") == "x"  # no wrapper: the function itself
    assert getattr(fetch, RETRY_ATTR) == {
        "times": 4,
        "backoff_s": 0.25,
        "max_backoff_s": 2.0,
        "on": ["TimeoutError", "ConnectionError"],
    }


def test_retry_defaults_and_one_exception_or_a_name():
    assert retry_policy() == {"times": 3, "backoff_s": 0.5, "max_backoff_s": 30.0, "on": ["Exception"]}
    assert retry_policy(on=KeyError)["on"] == ["KeyError"]
    assert retry_policy(on="openai.RateLimitError")["on"] == ["openai.RateLimitError"]

    class Busy(Exception):
        pass

    assert exception_name(Busy) == f"{__name__}.test_retry_defaults_and_one_exception_or_a_name.<locals>.Busy"


def test_retry_and_timeout_decorate_classes():
    @timeout(2.5)
    @retry(times=2)
    class Node:
        def __call__(self) -> int:
            return 1

    assert getattr(Node, TIMEOUT_ATTR) == 2.5
    assert getattr(Node, RETRY_ATTR)["times"] == 2


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"times": 0}, "times must be a whole number from 1 to 100"),
        ({"times": 2.5}, "times must be a whole number"),
        ({"times": True}, "times must be a whole number"),
        ({"backoff_s": -1}, "backoff_s must be a number of seconds"),
        ({"max_backoff_s": float("nan")}, "max_backoff_s must be a number of seconds"),
        ({"on": ()}, "names no exception"),
        ({"on": (int,)}, "takes exception classes or dotted names"),
        ({"on": ("not a name",)}, "takes exception classes or dotted names"),
    ],
)
def test_bad_retry_policies_are_refused_when_the_pack_loads(kwargs, words):
    with pytest.raises(ValueError, match=words):
        retry(**kwargs)


@pytest.mark.parametrize("seconds", [0, -1, "5", float("inf"), None])
def test_bad_timeouts_are_refused(seconds):
    with pytest.raises(ValueError, match="a timeout must be a number of seconds above 0"):
        timeout(seconds)


def test_delays_double_from_backoff_up_to_the_cap():
    policy = retry_policy(times=6, backoff_s=0.5, max_backoff_s=3)
    assert [retry_delay(policy, attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_exceptions_match_by_class_name_through_the_mro_and_submodules():
    assert retry_matches(["ConnectionError"], ConnectionRefusedError())
    assert retry_matches(["OSError"], TimeoutError())
    assert retry_matches(["Exception"], KeyError("x"))
    assert not retry_matches(["TimeoutError", "ConnectionError"], ValueError())
    # openai names its public errors from a private module: a name matches its submodules.
    rate_limit = type("RateLimitError", (Exception,), {"__module__": "openai._exceptions"})
    assert retry_matches(["openai.RateLimitError"], rate_limit())
    assert not retry_matches(["openai.RateLimitError"], type("RateLimitError", (Exception,), {})())
    assert not retry_matches(["openai.RateLimitError"], type("RateLimitError", (Exception,), {"__module__": "op"})())


# -- the loader and the schema -------------------------------------------------------
@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return load_catalog(copy_packs(tmp_path_factory.mktemp("packs"), "testpack", "llms"))


def test_the_schema_carries_decorators_and_file_defaults(catalog):
    schemas = {schema["name"]: schema for schema in catalog.schemas()}
    assert schemas["flaky"]["retry"] == {"times": 3, "backoff_s": 0.1, "max_backoff_s": 1.0, "on": ["ConnectionError"]}
    assert schemas["sleep_forever"]["timeout_s"] == 1.0
    assert "retry" not in schemas["fail"] and "timeout_s" not in schemas["fail"]
    # PSYNAPSE_RETRY of stream_ops.py, and a class's own @retry over it.
    assert schemas["FlakyWords"]["retry"] == {"times": 2, "backoff_s": 0.05, "max_backoff_s": 30.0, "on": ["Exception"]}
    assert schemas["PatientWords"]["retry"]["times"] == 3
    # The llms pack retries rate limits and connection errors by default, chat and stream alike.
    for name in ("openai_chat_completion", "OpenAIChatCompletionStream"):
        assert schemas[name]["retry"]["on"] == ["openai.RateLimitError", "openai.APIConnectionError"]
        assert schemas[name]["retry"]["times"] == 3


def test_bad_file_defaults_are_pack_errors(tmp_path):
    pack = tmp_path / "bad"
    pack.mkdir()
    (pack / "ops.py").write_text(
        'PSYNAPSE_RETRY = {"times": 0}\nPSYNAPSE_TIMEOUT_S = -2\n\ndef one() -> int:\n    return 1\n'
    )
    (pack / "progress_ops.py").write_text("PSYNAPSE_RETRY = 3\n")
    loaded = load_catalog(tmp_path)
    messages = [error["message"] for error in loaded.packs[0].errors]
    assert any(m.startswith("PSYNAPSE_RETRY: retry times must be a whole number") for m in messages), messages
    assert any(m.startswith("PSYNAPSE_TIMEOUT_S: a timeout must be") for m in messages), messages
    assert any("PSYNAPSE_RETRY: it must be a dict of @retry's arguments" in m for m in messages), messages
    assert loaded.nodes["one"].retry is None and loaded.nodes["one"].timeout_s is None


def test_a_file_timeout_default(tmp_path):
    pack = tmp_path / "slow"
    pack.mkdir()
    (pack / "ops.py").write_text(
        "from psynapse import timeout\n\nPSYNAPSE_TIMEOUT_S = 30\n\n"
        "def one() -> int:\n    return 1\n\n@timeout(2)\ndef two() -> int:\n    return 2\n"
    )
    loaded = load_catalog(tmp_path)
    assert loaded.nodes["one"].timeout_s == 30.0
    assert loaded.nodes["two"].timeout_s == 2.0


# -- a node's settings over its function's -----------------------------------------
def fn(node_id: str, name: str, **data) -> GraphNode:
    return GraphNode(id=node_id, type="functionNode", data={"functionName": name, **data})


def test_node_settings_win_key_by_key_over_the_function(catalog):
    flaky = catalog.nodes["flaky"]
    plan = build_plan([fn("f", "flaky", retry={"times": 5}, timeout_s=7)], [], snapshot_of(catalog, 1).nodes)
    [step] = Wiring(plan).steps(["f"], (), ())
    policy = policy_of(flaky, step.retry, step.timeout_s)
    assert (policy.times, policy.backoff_s, policy.on, policy.timeout_s) == (5, 0.1, ("ConnectionError",), 7.0)
    # timeout_s 0 takes the function's timeout away; without settings the function's apply.
    sleeper = catalog.nodes["sleep_forever"]
    nodes = [fn("s", "sleep_forever", timeout_s=0), fn("t", "sleep_forever")]
    plan = build_plan(nodes, [], snapshot_of(catalog, 1).nodes)
    untimed, timed = Wiring(plan).steps(["s", "t"], (), ())
    assert policy_of(sleeper, untimed.retry, untimed.timeout_s).timeout_s is None
    assert policy_of(sleeper, timed.retry, timed.timeout_s).timeout_s == 1.0
    # A function without a policy: a node's times alone retries it, on any exception.
    plain = policy_of(catalog.nodes["fail"], *node_settings(catalog, fn("x", "fail", retry={"times": 2})))
    assert (plain.times, plain.on) == (2, ("Exception",))
    # A backoff above the function's cap raises the cap with it.
    raised = policy_of(flaky, *node_settings(catalog, fn("y", "flaky", retry={"backoff_s": 4})))
    assert (raised.backoff_s, raised.max_backoff_s) == (4.0, 4.0)


def node_settings(catalog, node: GraphNode):
    plan = build_plan([node], [], snapshot_of(catalog, 1).nodes)
    [step] = Wiring(plan).steps([node.id], (), ())
    return step.retry, step.timeout_s


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"retry": {"times": 0}}, "retry times must be a whole number from 1 to 100"),
        ({"retry": {"backoff_s": "1"}}, "retry backoff_s must be a number of seconds"),
        ({"retry": {"tries": 2}}, "retry takes times, backoff_s and max_backoff_s, not tries"),
        ({"retry": 3}, "retry must be an object"),
        ({"timeout_s": -1}, "timeout_s must be a number of seconds above 0"),
        ({"timeout_s": True}, "timeout_s must be a number of seconds above 0"),
    ],
)
def test_bad_node_settings_are_graph_errors_naming_the_node(catalog, data, words):
    with pytest.raises(GraphError, match=f"Node 'n': {words}"):
        build_plan([fn("n", "flaky", **data)], [], snapshot_of(catalog, 1).nodes)


# -- the walk retries ------------------------------------------------------------------
def walk(catalog, node: GraphNode) -> list[NodeEvent]:
    plan = build_plan([node], [], snapshot_of(catalog, 1).nodes)
    [segment] = cut(plan, set())
    job = Job(run_id="r", steps=Wiring(plan).steps(segment.nodes, (), ()))
    events: list[NodeEvent] = []
    run_here(SegmentRun(job, catalog.nodes.get), events.extend)
    return events


def test_a_call_that_fails_twice_is_made_again_and_announced(catalog, tmp_path):
    counter = tmp_path / "calls"
    events = walk(catalog, fn("f", "flaky", counter=str(counter), value=7))
    statuses = [(e.status, e.tries) for e in events]
    assert statuses == [("executing", 0), ("retrying", 2), ("retrying", 3), ("completed", 3)]
    assert [e.error for e in events if e.status == "retrying"] == ["call 1 failed", "call 2 failed"]
    assert [e.delay_s for e in events if e.status == "retrying"] == [0.1, 0.2]
    assert {e.max_tries for e in events if e.status == "retrying"} == {3}
    assert len(counter.read_text().splitlines()) == 3


def test_an_error_the_policy_does_not_name_is_not_retried(catalog, tmp_path):
    counter = tmp_path / "calls"
    events = walk(catalog, fn("f", "flaky", counter=str(counter), error="value"))
    assert [(e.status, e.error) for e in events] == [("executing", None), ("error", "call 1 failed")]
    assert len(counter.read_text().splitlines()) == 1


def test_a_missing_input_is_never_retried(catalog):
    events = walk(catalog, fn("f", "flaky", retry={"times": 5}))
    assert [e.status for e in events] == ["executing", "error"]
    assert events[-1].error == "input 'counter' is not connected and has no value"


def test_a_call_past_its_timeout_fails_when_it_returns(catalog):
    started = time.monotonic()
    events = walk(catalog, fn("s", "slow_identity", x=1, ms=300, timeout_s=0.1))
    assert time.monotonic() - started < 2
    assert events[-1].status == "error" and events[-1].timed_out
    assert events[-1].error == "timed out after 0.1 s"
    assert events[-1].traceback is None
