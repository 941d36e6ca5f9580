"""The runner's threads for node calls, and the ones written off as stuck.

Each of ``slots`` slots is a one-thread executor; a call waits (on the event loop)
for a free slot and gives it back when its thread returns. Python cannot stop a
thread, so a call whose node timed out is *abandoned*: its result is not wanted. If
it still runs a grace period later, its thread is counted stuck and a new thread
takes its slot, so the runner keeps its concurrency; a stuck thread whose call
returns at last is let go.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class Slot:
    """One call on one slot's thread."""

    def __init__(self, executor: ThreadPoolExecutor, future: concurrent.futures.Future[Any]) -> None:
        self.executor = executor
        self.future = future
        self.abandoned = False
        self.stuck = False


class NodeThreads:
    def __init__(self, slots: int, on_stuck: Callable[[int], None] = lambda count: None, name: str = "node") -> None:
        self._name = name
        self._made = 0
        # Last in, first out: the thread that just returned takes the next call, as a
        # thread pool's idle thread does, so a runner warms only the threads it needs.
        self._free: asyncio.LifoQueue[ThreadPoolExecutor] = asyncio.LifoQueue()
        self._executors: set[ThreadPoolExecutor] = set()
        self._on_stuck = on_stuck
        self.stuck = 0  # threads whose call was abandoned and still runs
        for _ in range(slots):
            self._free.put_nowait(self._new())

    def _new(self) -> ThreadPoolExecutor:
        self._made += 1
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{self._name}-{self._made}")
        self._executors.add(executor)
        return executor

    async def start(self, work: Callable[[], Any]) -> Slot:
        """Run ``work`` on the next free slot's thread; await ``asyncio.wrap_future(slot.future)``."""
        executor = await self._free.get()
        loop = asyncio.get_running_loop()
        slot = Slot(executor, executor.submit(work))
        slot.future.add_done_callback(lambda _: loop.call_soon_threadsafe(self._returned, slot))
        return slot

    def abandon(self, slot: Slot, grace_s: float, written_off: Callable[[], None]) -> None:
        """Its result is no longer wanted: if the call still runs ``grace_s`` from now, its
        thread is written off (``written_off`` is called) and the slot goes to a new thread."""
        slot.abandoned = True
        asyncio.get_running_loop().call_later(grace_s, self._write_off, slot, written_off)

    def _write_off(self, slot: Slot, written_off: Callable[[], None]) -> None:
        if slot.future.done() or slot.executor not in self._executors:
            return
        slot.stuck = True
        self.stuck += 1
        written_off()
        self._free.put_nowait(self._new())
        self._on_stuck(self.stuck)

    def _returned(self, slot: Slot) -> None:
        if slot.executor not in self._executors:
            return  # shut down meanwhile
        if not slot.stuck:
            self._free.put_nowait(slot.executor)
            return
        # Its slot went to another thread: this one is let go.
        self._executors.discard(slot.executor)
        slot.executor.shutdown(wait=False)
        self.stuck -= 1
        self._on_stuck(self.stuck)

    def shutdown(self) -> None:
        """Calls not started are dropped; threads end once their calls return."""
        for executor in self._executors:
            executor.shutdown(wait=False, cancel_futures=True)
        self._executors.clear()
