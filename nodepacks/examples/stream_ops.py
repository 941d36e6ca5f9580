"""Example stream node: shows how a node emits text while it runs."""

import re
import time


class _StreamReporter:
    """Internal class for stream reporting."""

    def __init__(self):
        self._callback = None

    def set_callback(self, callback):
        """Set the callback for stream updates."""
        self._callback = callback

    def emit(self, chunk: str):
        """Emit a text chunk to the stream."""
        if self._callback and chunk:
            self._callback(chunk)


class EchoStream:
    """Echo a text back word by word, waiting `delay_ms` between words.

    The emitted chunks add up to exactly the returned text.
    """

    def __init__(self):
        self._stream_reporter = _StreamReporter()

    def __call__(self, text: str, delay_ms: int = 50) -> str:
        # Each chunk is a word with the whitespace after it, so the chunks
        # joined give back the text unchanged.
        for chunk in re.findall(r"\s*\S+\s*|\s+", text):
            time.sleep(delay_ms / 1000)
            self._stream_reporter.emit(chunk)
        return text
