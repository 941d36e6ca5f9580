"""The orchestrator's one learner of which functions are quick."""

from __future__ import annotations

from psynapse_orchestrator.learner import QuickFunctions


def test_quick_after_three_fast_calls_only_for_plain_functions():
    quick = QuickFunctions(threshold_ms=5.0)
    for _ in range(2):
        quick.observe("add", 0.05)
    assert not quick.is_quick("add", "function")
    quick.observe("add", 0.05)
    assert quick.is_quick("add", "function")
    assert not quick.is_quick("add", "progress")
    assert not quick.is_quick("never_seen", "function")


def test_a_slow_call_ends_quickness_and_noise_does_not_stick():
    quick = QuickFunctions(threshold_ms=5.0)
    for _ in range(5):
        quick.observe("f", 0.1)
    quick.observe("f", 100.0)
    assert not quick.is_quick("f", "function")
    for _ in range(20):
        quick.observe("f", 0.1)
    assert quick.is_quick("f", "function")


def test_new_code_and_a_zero_threshold_forget_everything():
    quick = QuickFunctions(threshold_ms=5.0)
    quick.catalog_changed(1)
    for _ in range(3):
        quick.observe("f", 0.1)
    quick.catalog_changed(1)
    assert quick.is_quick("f", "function")
    quick.catalog_changed(2)
    assert not quick.is_quick("f", "function")
    off = QuickFunctions(threshold_ms=0)
    for _ in range(3):
        off.observe("f", 0.1)
    assert not off.is_quick("f", "function")


def test_only_calls_slower_than_the_cache_itself_are_worth_caching():
    learner = QuickFunctions(threshold_ms=2.0, cache_below_ms=0.05)
    assert learner.worth_caching("f", "function")  # never seen: cache it
    for _ in range(3):
        learner.observe("f", 0.01)
        learner.observe("g", 0.5)
    assert not learner.worth_caching("f", "function") and learner.worth_caching("g", "function")
    assert learner.worth_caching("f", "progress")  # only plain functions are learnt
    learner.observe("f", 5.0)  # turned slow: worth it again
    assert learner.worth_caching("f", "function")
