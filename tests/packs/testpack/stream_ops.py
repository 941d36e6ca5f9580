import time


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
