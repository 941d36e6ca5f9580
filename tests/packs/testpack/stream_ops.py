import time

from psynapse import retry

from .ops import _count_call

# Every node of this file is called twice in all when it raises (unless it says otherwise).
PSYNAPSE_RETRY = {"times": 2, "backoff_s": 0.05}


class _Reporter:
    def __init__(self):
        self._cb = None

    def set_callback(self, cb):
        self._cb = cb

    def emit(self, chunk: str):
        if self._cb and chunk:
            self._cb(chunk)


class Words:
    """Emit each word of `text` with a pause."""

    def __init__(self):
        self._stream_reporter = _Reporter()

    def __call__(self, text: str, delay_ms: int = 20) -> str:
        for word in text.split(" "):
            time.sleep(delay_ms / 1000)
            self._stream_reporter.emit(word + " ")
        return text


class Flood:
    """Emit `count` small chunks as fast as possible (a chatty model)."""

    def __init__(self):
        self._stream_reporter = _Reporter()

    def __call__(self, count: int = 1000) -> int:
        for i in range(count):
            self._stream_reporter.emit(f"{i} ")
        return count


class FlakyWords:
    """Stream "call N", and fail the first `fails` calls; then stream `text`. Retried as the file says."""

    def __init__(self):
        self._stream_reporter = _Reporter()

    def __call__(self, counter: str, text: str = "done", fails: int = 1) -> str:
        calls = _count_call(counter)
        self._stream_reporter.emit(f"call {calls} ")
        if calls <= fails:
            raise ConnectionError(f"call {calls} failed")
        self._stream_reporter.emit(text)
        return text


@retry(times=3, backoff_s=0.05)
class PatientWords(FlakyWords):
    """FlakyWords, with a retry policy of its own over the file's."""
