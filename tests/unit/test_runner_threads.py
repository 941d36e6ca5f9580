"""The runner's node threads and its environment lock, when a call is left behind."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from psynapse_runner.envlock import EnvBlocked, EnvLock
from psynapse_runner.threads import NodeThreads


def test_a_stuck_threads_slot_goes_to_a_new_thread_and_comes_back_when_it_returns():
    async def scenario() -> list[int]:
        counts: list[int] = []
        changed = asyncio.Event()

        def on_stuck(count: int) -> None:
            counts.append(count)
            changed.set()

        threads = NodeThreads(1, on_stuck)
        first = await threads.start(threading.current_thread)
        again = await threads.start(threading.current_thread)
        # The slot that returned last takes the next call: the same thread.
        assert await asyncio.wrap_future(first.future) is await asyncio.wrap_future(again.future)
        hung = threading.Event()
        slot = await threads.start(hung.wait)
        threads.abandon(slot, 0.05, lambda: None)
        await changed.wait()
        changed.clear()
        assert threads.stuck == 1
        # Its one slot is free again, on a new thread, while the old one still runs.
        other = await threads.start(lambda: 7)
        assert await asyncio.wrap_future(other.future) == 7
        hung.set()
        await changed.wait()
        assert threads.stuck == 0
        threads.shutdown()
        return counts

    assert asyncio.run(scenario()) == [1, 0]


def test_an_abandoned_call_that_ends_within_the_grace_is_not_stuck():
    async def scenario() -> None:
        threads = NodeThreads(1)
        done = threading.Event()
        slot = await threads.start(lambda: done.wait(5))
        written_off: list[bool] = []
        done.set()
        await asyncio.wrap_future(slot.future)
        # Abandoned at its deadline, it has returned by the end of its grace period.
        threads.abandon(slot, 0.0, lambda: written_off.append(True))
        for _ in range(3):  # the loop runs the write-off (and the slot's return)
            await asyncio.sleep(0)
        assert threads.stuck == 0 and written_off == []
        assert await asyncio.wrap_future((await threads.start(lambda: 1)).future) == 1
        threads.shutdown()

    asyncio.run(scenario())


def test_a_written_off_writer_takes_its_variables_away_and_blocks_env_vars_until_it_returns():
    lock = EnvLock()
    key = "PSYNAPSE_TEST_ENVLOCK"
    hold = lock.acquire({key: "secret"})
    assert os.environ[key] == "secret"
    lock.write_off(hold)
    assert key not in os.environ and lock.stuck == 1
    with pytest.raises(EnvBlocked, match="a node that timed out still runs here"):
        lock.acquire({key: "other"})
    plain = lock.acquire(None)  # nodes without env_vars go on
    lock.release(plain)
    lock.release(hold)  # the stuck thread returns at last
    assert lock.stuck == 0 and key not in os.environ
    again = lock.acquire({key: "other"})
    assert os.environ[key] == "other"
    lock.release(again)
    assert key not in os.environ


def test_a_writer_waiting_for_a_reader_that_is_written_off_is_refused_not_kept_waiting():
    lock = EnvLock()
    reader = lock.acquire(None)
    outcome: list[BaseException | None] = []
    waiting = threading.Thread(target=lambda: outcome.append(_try_acquire(lock, {"PSYNAPSE_TEST_ENVLOCK": "x"})))
    waiting.start()
    while not lock._writers_waiting:  # the writer is queued behind the reader
        threading.Event().wait(0.005)
    lock.write_off(reader)
    waiting.join(5)
    assert isinstance(outcome[0], EnvBlocked)
    lock.release(reader)
    assert lock.stuck == 0


def _try_acquire(lock: EnvLock, env: dict[str, str]) -> BaseException | None:
    try:
        lock.release(lock.acquire(env))
    except EnvBlocked as exc:
        return exc
    return None
