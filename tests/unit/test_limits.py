"""The gateway's limits: per-client runs in flight, graph sizes."""

from __future__ import annotations

import pytest

from psynapse_common.settings import Settings
from psynapse_gateway.limits import LimitExceeded, Limits


def test_a_client_past_its_run_limit_is_refused_until_one_ends():
    limits = Limits(Settings(max_runs_per_client=2))
    limits.take("a")
    limits.take("a")
    limits.take("b")
    with pytest.raises(LimitExceeded, match="PSYNAPSE_MAX_RUNS_PER_CLIENT=2") as refused:
        limits.take("a")
    assert refused.value.status_code == 429
    limits.give_back("a")
    limits.take("a")
    # Each client counts alone, and a client whose runs all ended starts from nothing.
    limits.take("b")
    with pytest.raises(LimitExceeded):
        limits.take("b")
    limits.give_back("b")
    limits.give_back("b")
    limits.take("b")
    limits.take("b")


def test_graphs_past_the_size_limits_are_refused_with_the_setting_named():
    limits = Limits(Settings(max_nodes=3, max_edges=2))
    limits.check_graph(3, 2)
    with pytest.raises(LimitExceeded, match="4 nodes is more than PSYNAPSE_MAX_NODES=3") as nodes:
        limits.check_graph(4, 0)
    with pytest.raises(LimitExceeded, match="3 edges is more than PSYNAPSE_MAX_EDGES=2") as edges:
        limits.check_graph(1, 3)
    assert nodes.value.status_code == edges.value.status_code == 422
