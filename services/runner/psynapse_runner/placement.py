"""Where a job runs: on the event loop itself when its functions are known to be quick.

A thread hand-off costs a few hundred microseconds on a busy machine, more than a
cheap node itself. A chain of plain functions whose every past call took under
the threshold runs inline; one slow call sends that function to the thread pool
for good, so a node that sometimes blocks stalls the loop at most once.
"""

from __future__ import annotations

from dataclasses import dataclass

_SAMPLES_BEFORE_INLINE = 3
_DEMOTE_FACTOR = 20


@dataclass
class _Record:
    calls: int = 0
    slow: bool = False


class Placement:
    def __init__(self, threshold_ms: float) -> None:
        self._threshold_ms = threshold_ms
        self._records: dict[str, _Record] = {}

    def inline(self, functions: list[str], kinds: list[str], has_env: bool) -> bool:
        if self._threshold_ms <= 0 or has_env:
            return False
        for name, kind in zip(functions, kinds):
            record = self._records.get(name)
            if kind != "function" or record is None or record.slow:
                return False
            if record.calls < _SAMPLES_BEFORE_INLINE:
                return False
        return True

    def observe(self, function: str, duration_ms: float, inline: bool) -> None:
        record = self._records.setdefault(function, _Record())
        record.calls += 1
        limit = self._threshold_ms * (_DEMOTE_FACTOR if inline else 1)
        if duration_ms > limit:
            record.slow = True

    def forget(self) -> None:
        """New code was loaded: what we knew of the old functions no longer holds."""
        self._records.clear()
