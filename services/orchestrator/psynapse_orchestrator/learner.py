"""Which functions are quick, learnt from the call times in their nodes' events: the one learner.

The runners report each call's wall time. A plain function whose recent calls
average under the threshold is quick: running a few of them one after another
costs less than a dispatch round trip each, the GIL would serialise them in one
runner anyway, and a thread hand-off costs more than such a call. So quick nodes
share segments with their neighbours (``psynapse_common.segments``) and their
runner calls them on its event loop; the rest are heavy. The average is a moving
one, so a function that turns slow (a cold cache, a network call) is heavy again
after one or two slow calls, and a busy machine's noise on a single call does not
stick. Functions never seen are heavy; new code forgets everything.

A function quicker still, under the cache's threshold, is not worth caching: its
call costs less than computing its key and storing its output, so it just runs.
"""

from __future__ import annotations

from dataclasses import dataclass

_SAMPLES_BEFORE_QUICK = 3
_WEIGHT_OF_LATEST = 0.3


@dataclass
class _Record:
    calls: int = 0
    average_ms: float = 0.0


class QuickFunctions:
    def __init__(self, threshold_ms: float, cache_below_ms: float = 0.0) -> None:
        self._threshold_ms = threshold_ms
        self._cache_below_ms = cache_below_ms
        self._records: dict[str, _Record] = {}
        self._revision = -1

    def _average(self, function: str, kind: str) -> float | None:
        """The moving average of a plain function's calls, once there are enough of them."""
        record = self._records.get(function)
        if kind != "function" or record is None or record.calls < _SAMPLES_BEFORE_QUICK:
            return None
        return record.average_ms

    def is_quick(self, function: str, kind: str) -> bool:
        average = self._average(function, kind)
        return average is not None and average < self._threshold_ms

    def worth_caching(self, function: str, kind: str) -> bool:
        average = self._average(function, kind)
        return average is None or average >= self._cache_below_ms

    def observe(self, function: str, duration_ms: float | None) -> None:
        if duration_ms is None or self._threshold_ms <= 0:
            return
        record = self._records.setdefault(function, _Record())
        if record.calls == 0:
            record.average_ms = duration_ms
        else:
            record.average_ms += _WEIGHT_OF_LATEST * (duration_ms - record.average_ms)
        record.calls += 1

    def catalog_changed(self, revision: int) -> None:
        if revision != self._revision:
            self._records.clear()
            self._revision = revision
