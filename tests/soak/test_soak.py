"""The chaos soak, one minute of it: `make soak` runs ten."""

from __future__ import annotations

import pytest

from tests.support.soak import soak

pytestmark = pytest.mark.faults


def test_a_minute_of_chaos_loses_doubles_and_gets_wrong_nothing(tmp_path):
    ledger = soak(60, tmp_path, every=(3.0, 7.0))
    print("\n" + ledger.render(60))
    counts = ledger.counts()
    assert sum(ledger.kills.values()) >= 5, ledger.kills  # the faults happened
    assert counts["completed"] >= 20, counts  # and the product kept working through them
    assert ledger.ok, ledger.render(60)
