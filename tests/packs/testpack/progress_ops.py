import time


class _Reporter:
    def __init__(self):
        self._cb = None

    def set_callback(self, cb):
        self._cb = cb

    def update(self, current: int, total: int, message: str = ""):
        if self._cb:
            self._cb(current / total if total else 0.0, message)


class SlowProgress:
    """Report `steps` steps, sleeping `step_ms` before each."""

    def __init__(self):
        self._progress_reporter = _Reporter()

    def __call__(self, steps: int = 5, step_ms: int = 100) -> int:
        for i in range(1, steps + 1):
            time.sleep(step_ms / 1000)
            self._progress_reporter.update(i, steps, f"step {i}/{steps}")
        return steps


class StepsToFile:
    """Report `steps` steps `step_ms` apart, noting its start, each step and its end in the file `counter`."""

    def __init__(self):
        self._progress_reporter = _Reporter()

    def __call__(self, counter: str, steps: int = 50, step_ms: int = 100) -> int:
        with open(counter, "a") as notes:
            notes.write(f"start {time.time()}\n")
            try:
                for i in range(1, steps + 1):
                    time.sleep(step_ms / 1000)
                    notes.write(f"step {i} {time.time()}\n")
                    notes.flush()
                    self._progress_reporter.update(i, steps, f"step {i}/{steps}")
            finally:
                notes.write(f"ended {time.time()}\n")
        return steps
