"""Which runs were cancelled: flags the running nodes' reporters check, and pauses
(before a retry) on the event loop end at once."""

from __future__ import annotations

import asyncio
import contextlib
import time

from nats.aio.msg import Msg

from psynapse_common.invoke import CancelFlag
from psynapse_common.subjects import Names

_REMEMBER_S = 600.0


class CancelBoard:
    def __init__(self) -> None:
        self._flags: dict[str, CancelFlag] = {}
        self._waits: dict[str, asyncio.Event] = {}
        self._users: dict[str, int] = {}
        self._cancelled_at: dict[str, float] = {}

    def acquire(self, run_id: str) -> CancelFlag:
        flag = self._flags.setdefault(run_id, CancelFlag())
        wait = self._waits.setdefault(run_id, asyncio.Event())
        self._users[run_id] = self._users.get(run_id, 0) + 1
        if run_id in self._cancelled_at:
            flag.set()
            wait.set()
        return flag

    async def pause(self, run_id: str, seconds: float) -> None:
        """Sleep ``seconds``, or less if the run (acquired) is cancelled meanwhile."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._waits[run_id].wait()

    def release(self, run_id: str) -> None:
        self._users[run_id] -= 1
        if self._users[run_id] == 0:
            del self._users[run_id]
            del self._flags[run_id]
            del self._waits[run_id]

    def cancel(self, run_id: str) -> None:
        now = time.monotonic()
        self._cancelled_at[run_id] = now
        for old, at in list(self._cancelled_at.items()):
            if now - at > _REMEMBER_S:
                del self._cancelled_at[old]
        flag = self._flags.get(run_id)
        if flag is not None:
            flag.set()
            self._waits[run_id].set()

    async def on_message(self, msg: Msg) -> None:
        self.cancel(Names.run_id_of(msg.subject))
