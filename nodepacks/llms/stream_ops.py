"""Streaming LLM node: emits the reply token by token while the model writes it."""

# Rate limits and connection errors are retried as in ops.py (a retry streams its text afresh).
from .ops import PSYNAPSE_RETRY as PSYNAPSE_RETRY
from .ops import Messages, _as_messages, _client

# Model answers vary from call to call; a cached answer would hide that.
PSYNAPSE_CACHE = False
PSYNAPSE_REQUIRES = {"openai": "pip install 'psynapse[llm]'"}


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


class OpenAIChatCompletionStream:
    """Ask a chat model for a reply to `messages`, streaming the reply as it is written.

    `messages` is one message ({"role", "content"}), a list of them, or a plain text.

    Uses OPENAI_API_KEY and optional OPENAI_BASE_URL. Returns
    {"content", "role", "model", "finish_reason"}.
    """

    def __init__(self):
        self._stream_reporter = _StreamReporter()

    def __call__(self, model: str, messages: Messages, temperature: float = 0.7) -> dict:
        stream = _client().chat.completions.create(
            model=model, messages=_as_messages(messages), temperature=temperature, stream=True
        )
        parts: list[str] = []
        finish_reason = None
        for chunk in stream:
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            finish_reason = choice.finish_reason or finish_reason
            if choice.delta.content:
                parts.append(choice.delta.content)
                self._stream_reporter.emit(choice.delta.content)
        return {"content": "".join(parts), "role": "assistant", "model": model, "finish_reason": finish_reason}
