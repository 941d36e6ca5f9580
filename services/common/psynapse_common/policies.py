"""Retries and timeouts of function nodes: the policy that applies to one node.

A function's policy comes from its code (``@retry`` / ``@timeout``, else its file's
``PSYNAPSE_RETRY`` / ``PSYNAPSE_TIMEOUT_S``: see ``psynapse.sdk``); a node may override
it in its data (the editor's node settings):

    {"functionName": "fetch", "retry": {"times": 5, "backoff_s": 2}, "timeout_s": 30}

``retry`` takes ``times`` (attempts in all, the first included), ``backoff_s`` and
``max_backoff_s``; each key it gives wins over the function's, and the function's
``on`` (the exceptions retried) stays. ``timeout_s`` limits each attempt; 0 takes the
function's timeout away. A function with a parameter named ``retry`` or ``timeout_s``
takes that key as the parameter's value, never as a setting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from psynapse.sdk import MAX_TIMES, retry_delay, retry_matches, timeout_seconds

from .messages import GraphNode, RetryOverride

RETRY_KEY, TIMEOUT_KEY = "retry", "timeout_s"
_NO_RETRY: dict[str, Any] = {"times": 1, "backoff_s": 0.5, "max_backoff_s": 30.0, "on": ["Exception"]}


@dataclass(frozen=True)
class Policy:
    """What applies to one call of a node: its attempts and the limit of each."""

    times: int = 1
    backoff_s: float = 0.0
    max_backoff_s: float = 0.0
    on: tuple[str, ...] = ("Exception",)
    timeout_s: float | None = None

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` before the next."""
        return retry_delay({"backoff_s": self.backoff_s, "max_backoff_s": self.max_backoff_s}, attempt)

    def retries(self, attempt: int, error: BaseException | None) -> bool:
        """Whether a call that failed on attempt ``attempt`` is made again: ``error`` is what
        the node's code raised (None when the failure was not its code's: a missing
        input fails the same way every time, and a cancel is no failure)."""
        return error is not None and attempt < self.times and retry_matches(self.on, error)


NO_POLICY = Policy()


class SettingsError(ValueError):
    """A node's retry or timeout settings that cannot apply (the planner's GraphError says it)."""


def node_override(node: GraphNode, params: list[str]) -> tuple[RetryOverride | None, float | None]:
    """A function node's own settings, checked (a SettingsError names the node and the key)."""
    retry = None
    data = node.data
    if RETRY_KEY in data and RETRY_KEY not in params and data[RETRY_KEY] is not None:
        retry = _retry_override(node.id, data[RETRY_KEY])
    timeout = None
    if TIMEOUT_KEY in data and TIMEOUT_KEY not in params and data[TIMEOUT_KEY] is not None:
        value = data[TIMEOUT_KEY]
        if value == 0 and not isinstance(value, bool):
            timeout = 0.0
        else:
            try:
                timeout = timeout_seconds(value)
            except ValueError:
                raise SettingsError(
                    f"Node '{node.id}': timeout_s must be a number of seconds above 0 (0: none), not {value!r}"
                ) from None
    return retry, timeout


def _retry_override(node_id: str, value: Any) -> RetryOverride:
    if not isinstance(value, dict):
        raise SettingsError(f"Node '{node_id}': retry must be an object of times, backoff_s and max_backoff_s")
    unknown = sorted(set(value) - {"times", "backoff_s", "max_backoff_s"})
    if unknown:
        keys = ", ".join(unknown)
        raise SettingsError(f"Node '{node_id}': retry takes times, backoff_s and max_backoff_s, not {keys}")
    times = value.get("times")
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_TIMES):
        raise SettingsError(
            f"Node '{node_id}': retry times must be a whole number from 1 to {MAX_TIMES} (attempts in all), "
            f"not {times!r}"
        )
    seconds: dict[str, float | None] = {}
    for key in ("backoff_s", "max_backoff_s"):
        given = value.get(key)
        if given is not None and (
            not isinstance(given, (int, float)) or isinstance(given, bool) or not 0 <= given < float("inf")
        ):
            raise SettingsError(f"Node '{node_id}': retry {key} must be a number of seconds, 0 or more, not {given!r}")
        seconds[key] = None if given is None else float(given)
    return RetryOverride(times=times, backoff_s=seconds["backoff_s"], max_backoff_s=seconds["max_backoff_s"])


def policy_of(spec: Any, retry: RetryOverride | None, timeout_s: float | None) -> Policy:
    """The policy of one node: its own settings over its function's (a loader ``NodeSpec``)."""
    if spec.retry is None and spec.timeout_s is None and retry is None and timeout_s is None:
        return NO_POLICY  # most nodes: no object made per call
    base = spec.retry or _NO_RETRY
    policy = Policy(
        times=base["times"],
        backoff_s=base["backoff_s"],
        max_backoff_s=base["max_backoff_s"],
        on=tuple(base["on"]),
        timeout_s=spec.timeout_s,
    )
    if retry is not None:
        policy = replace(
            policy,
            times=policy.times if retry.times is None else retry.times,
            backoff_s=policy.backoff_s if retry.backoff_s is None else retry.backoff_s,
            max_backoff_s=policy.max_backoff_s if retry.max_backoff_s is None else retry.max_backoff_s,
        )
        if retry.backoff_s is not None and retry.max_backoff_s is None:
            # A node's backoff above its function's cap would be capped unseen.
            policy = replace(policy, max_backoff_s=max(policy.max_backoff_s, retry.backoff_s))
    if timeout_s is not None:
        policy = replace(policy, timeout_s=timeout_s or None)
    return policy
