"""LLM nodes for any OpenAI-compatible chat API.

Configured at call time from the environment (a run's env_vars land there):
OPENAI_API_KEY, and OPENAI_BASE_URL for another server (vLLM, Ollama, ...).
The `openai` package is optional (`pip install 'psynapse[llm]'`), so it is
imported inside the call and this pack loads without it.
"""

import os

# Model answers vary from call to call; a cached answer would hide that.
PSYNAPSE_CACHE = False
# The editor flags these nodes, with the command, while openai is not installed.
PSYNAPSE_REQUIRES = {"openai": "pip install 'psynapse[llm]'"}
# Rate limits (HTTP 429) and connection errors pass: each node calls again, up to three
# times in all, 1 s then 2 s apart. By name, since openai is imported only in the call.
PSYNAPSE_RETRY = {
    "times": 3,
    "backoff_s": 1.0,
    "max_backoff_s": 30.0,
    "on": ("openai.RateLimitError", "openai.APIConnectionError"),
}

# What `messages` takes: one message (a Variable with "LLM message"), a list of
# them (a List of such variables), or a plain text, sent as the user's message.
Messages = list[dict] | dict | str

_MISSING_OPENAI = "The openai package is not installed: pip install 'psynapse[llm]'"


def openai_chat_completion(model: str, messages: Messages, temperature: float = 0.7) -> dict:
    """Ask a chat model for a reply to `messages` (OpenAI chat completions API).

    `messages` is one message ({"role", "content"}), a list of them, or a plain text.

    Returns {"content", "role", "model", "finish_reason", "usage"}.
    """
    response = _client().chat.completions.create(model=model, messages=_as_messages(messages), temperature=temperature)
    choice = response.choices[0]
    return {
        "content": choice.message.content or "",
        "role": choice.message.role,
        "model": response.model,
        "finish_reason": choice.finish_reason,
        "usage": response.usage.model_dump() if response.usage else None,
    }


def _client():
    try:
        import openai
    except ImportError as exc:
        raise RuntimeError(_MISSING_OPENAI) from exc
    base_url = os.environ.get("OPENAI_BASE_URL") or None
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key:
        if base_url is None:
            raise RuntimeError("OPENAI_API_KEY is not set: add it to the run's env_vars or the environment")
        # Local OpenAI-compatible servers take no key, but the client insists on one.
        api_key = "unused"
    # Psynapse retries (PSYNAPSE_RETRY), where a run shows each attempt; the client's own
    # retries would hide theirs inside one call.
    return openai.OpenAI(api_key=api_key, base_url=base_url, max_retries=0)


def _as_messages(messages) -> list:
    # A Variable node wired straight in gives one message or a bare text;
    # the API wants a list of messages.
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if isinstance(messages, dict):
        return [messages]
    return list(messages)
