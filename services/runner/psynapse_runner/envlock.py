"""Applying a run's env_vars so that no other node in this process can observe them.

Nodes without env_vars share the environment (readers); a node with env_vars runs
alone (the writer), with the variables applied, and the environment is restored
after it, also when it raises.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class EnvLock:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            # Writers go first so a stream of plain nodes cannot starve an env node.
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            self.release_shared()

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

    @contextmanager
    def exclusive(self, env: dict[str, str]) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        saved = {key: os.environ.get(key) for key in env}
        try:
            os.environ.update(env)
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            with self._cond:
                self._writing = False
                self._cond.notify_all()

    @contextmanager
    def around(self, env: dict[str, str] | None) -> Iterator[None]:
        if env:
            with self.exclusive(env):
                yield
        else:
            with self.shared():
                yield
