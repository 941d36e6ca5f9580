"""Applying a run's env_vars so that no other node in this process can observe them.

Nodes without env_vars share the environment (readers); a node with env_vars runs
alone (the writer), with the variables applied, and the environment is restored
after it, also when it raises.

A node that timed out may go on running in a thread nobody can stop (``threads``).
Written off, its share ends (a writer's variables leave the environment at once),
but the thread is counted stuck: it could read any variables applied while it
runs, so none are: a node that needs them fails with ``EnvBlocked`` instead of
waiting for ever, and plain nodes go on.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class EnvBlocked(RuntimeError):
    pass


class Hold:
    """One node's share of the environment (or all of it, with its env_vars applied)."""

    def __init__(self, env: dict[str, str] | None) -> None:
        self.env = env
        self.saved: dict[str, str | None] = {}
        self.released = False
        self.stuck = False


class EnvLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._stuck = 0
        self._writing = False
        self._writers_waiting = 0

    @property
    def stuck(self) -> int:
        """Written-off holders whose threads still run."""
        return self._stuck

    def acquire(self, env: dict[str, str] | None) -> Hold:
        hold = Hold(env)
        with self._cond:
            if env:
                self._writers_waiting += 1
                try:
                    while self._writing or self._readers:
                        self._refuse_if_stuck()
                        self._cond.wait()
                    self._refuse_if_stuck()
                finally:
                    self._writers_waiting -= 1
                self._writing = True
            else:
                # Writers go first so a stream of plain nodes cannot starve an env node.
                while self._writing or self._writers_waiting:
                    self._cond.wait()
                self._readers += 1
        if env:
            hold.saved = {key: os.environ.get(key) for key in env}
            os.environ.update(env)
        return hold

    def _refuse_if_stuck(self) -> None:
        if self._stuck:
            self._cond.notify_all()  # readers waiting behind this writer go on
            raise EnvBlocked(
                "env_vars cannot be applied on this runner while a node that timed out still runs here "
                "(it could read them); the runner restarts to free it, run again"
            )

    def release(self, hold: Hold) -> None:
        with self._cond:
            if hold.stuck:
                # A written-off thread returned at last: nothing of its own is applied any more.
                hold.stuck = False
                self._stuck -= 1
                self._cond.notify_all()
            elif not hold.released:
                hold.released = True
                self._let_go(hold)

    def write_off(self, hold: Hold) -> None:
        """The hold's node timed out and its thread still runs: its share ends now (a
        writer's variables leave the environment), and it is counted stuck until it returns."""
        with self._cond:
            if hold.released:
                return
            hold.released = True
            hold.stuck = True
            self._stuck += 1
            self._let_go(hold)

    def _let_go(self, hold: Hold) -> None:
        if hold.env:
            for key, value in hold.saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            self._writing = False
        else:
            self._readers -= 1
        self._cond.notify_all()

    @contextmanager
    def around(self, env: dict[str, str] | None) -> Iterator[Hold]:
        hold = self.acquire(env)
        try:
            yield hold
        finally:
            self.release(hold)

    def try_shared(self) -> bool:
        """Take a reader's share only if that needs no wait (the event loop must not block)."""
        with self._cond:
            if self._writing or self._writers_waiting:
                return False
            self._readers += 1
            return True

    def release_shared(self) -> None:
        with self._cond:
            self._readers -= 1
            if self._readers == 0:
                self._cond.notify_all()
