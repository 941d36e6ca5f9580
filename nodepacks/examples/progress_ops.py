"""Example progress node: shows how a long-running node reports its progress."""

import time


class _ProgressReporter:
    """Internal class for progress reporting."""

    def __init__(self):
        self.callback = None

    def set_callback(self, callback):
        self.callback = callback

    def update(self, current: int, total: int, message: str):
        """Report progress (0.0-1.0) with optional message."""
        if self.callback:
            percent = current / total if total > 0 else 0.0
            self.callback(percent, message)


class CountWithProgress:
    """Count from 1 to `count`, waiting `delay_ms` per step and reporting each step.

    Returns the number of steps counted.
    """

    def __init__(self):
        self._progress_reporter = _ProgressReporter()

    def __call__(self, count: int = 10, delay_ms: int = 100) -> int:
        for step in range(1, count + 1):
            time.sleep(delay_ms / 1000)
            self._progress_reporter.update(current=step, total=count, message=f"Step {step}/{count}")
        return max(count, 0)
