"""The gateway's per-client run limit."""

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
    with limits.run_slot("c"), pytest.raises(LimitExceeded), limits.run_slot("c"), limits.run_slot("c"):
        pass
