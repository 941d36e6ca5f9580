"""A whole file routed to the gpu pool by its module-level setting."""

import os
import time

PSYNAPSE_POOL = "gpu"


class _Reporter:
    def __init__(self):
        self._cb = None

    def set_callback(self, cb):
        self._cb = cb

    def update(self, current: int, total: int, message: str = ""):
        if self._cb:
            self._cb(current / total if total else 0.0, message)


class GpuSteps:
    """Report `steps` steps of `step_ms` each; returns the tag of the runner that ran it."""

    def __init__(self):
        self._progress_reporter = _Reporter()

    def __call__(self, steps: int = 3, step_ms: int = 20) -> str:
        for i in range(1, steps + 1):
            time.sleep(step_ms / 1000)
            self._progress_reporter.update(i, steps, f"step {i}/{steps}")
        return os.environ.get("PSYNAPSE_TEST_RUNNER_TAG") or ""
