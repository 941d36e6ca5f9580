"""What nodepacks import: ``from psynapse import AnnotatedDict, Skip, no_cache, pool, retry, timeout``.

Standard library only, so a pack never drags in the services, and an exported
script can carry this module's source as it is.

    from typing import Literal
    from psynapse import AnnotatedDict, no_cache, pool

    @pool("gpu")
    def render(scene: str) -> str: ...

    @no_cache
    def roll_dice() -> int: ...

    def split_name(full_name: str) -> AnnotatedDict[Literal["first", "last"]]:
        return {"first": ..., "last": ...}

    @retry(times=3, backoff_s=0.5, on=(TimeoutError, ConnectionError))
    @timeout(60)
    def fetch(url: str) -> str: ...

A node branches by returning ``Skip`` for an output: nodes wired to it are skipped
(``{"found": value, "missing": Skip}`` takes one of two ways).

Each decorator returns the function or class itself (no wrapper), with one
attribute the loader reads. ``@pool`` overrides the file's ``PSYNAPSE_POOL``;
``@no_cache`` opts one node out of the output cache, as ``PSYNAPSE_CACHE = False``
does for a whole file. ``AnnotatedDict[Literal[...]]`` gives a node one output
handle per key (``AnnotatedDict[Literal[...], int]`` also the value type).

``@retry`` calls a node again when it raises one of the ``on`` exceptions (any
``Exception`` by default): ``times`` attempts in all, the first included, waiting
``backoff_s`` before the second, twice as long before each next one, never more than
``max_backoff_s``. ``PSYNAPSE_RETRY = {"times": 3, ...}`` (the same keys) is the policy of
every node of a file that has no ``@retry`` of its own. ``@timeout(s)`` fails an attempt
that runs longer than ``s`` seconds with ``TimeoutError("timed out after s s")``;
``PSYNAPSE_TIMEOUT_S`` is a file's default. A node's settings in a graph override both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K")

# Ids that go into a NATS subject token (a pool, a run id): no dots, wildcards or spaces.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

POOL_ATTR = "__psynapse_pool__"
CACHE_ATTR = "__psynapse_cache__"
RETRY_ATTR = "__psynapse_retry__"
TIMEOUT_ATTR = "__psynapse_timeout__"
DEFAULT_POOL = "default"
MAX_TIMES = 100


def pool(name: str) -> Callable[[T], T]:
    """Run this node on the runners of pool ``name`` (``psynapse runner --pool name``)."""
    # A pool names a subject token (psynapse.jobs.<pool>) and a consumer
    # (runners-<pool>). Raised at import time, the loader reports the error
    # against the pack's file and line.
    if not isinstance(name, str) or not TOKEN.match(name):
        raise ValueError(f"invalid pool {name!r}: use 1-128 letters, digits, '-' or '_'")

    def mark(target: T) -> T:
        setattr(target, POOL_ATTR, name)
        return target

    return mark


def no_cache(target: T) -> T:
    """Always run this node: never answer it from the output cache.

    For nodes whose output is not a function of their inputs and code: random
    numbers, the clock, the network, files. ``PSYNAPSE_CACHE = False`` in a file
    does the same for all its nodes.
    """
    setattr(target, CACHE_ATTR, False)
    return target


def retry(
    times: int = 3,
    backoff_s: float = 0.5,
    max_backoff_s: float = 30.0,
    on: Iterable[type[BaseException] | str] | type[BaseException] | str = (Exception,),
) -> Callable[[T], T]:
    """Call this node again when it raises one of ``on``: ``times`` attempts in all.

    Before attempt n+1 it waits ``backoff_s * 2 ** (n - 1)`` seconds, at most
    ``max_backoff_s``. ``on`` takes exception classes, or their names
    (``"openai.RateLimitError"``) for a package the file imports only inside its nodes.
    """
    # Checked here, so a bad policy is reported against the pack's file and line.
    policy = retry_policy(times=times, backoff_s=backoff_s, max_backoff_s=max_backoff_s, on=on)

    def mark(target: T) -> T:
        setattr(target, RETRY_ATTR, policy)
        return target

    return mark


def timeout(seconds: float) -> Callable[[T], T]:
    """Fail an attempt of this node that runs longer than ``seconds``."""
    limit = timeout_seconds(seconds)

    def mark(target: T) -> T:
        setattr(target, TIMEOUT_ATTR, limit)
        return target

    return mark


def retry_policy(
    times: int = 3,
    backoff_s: float = 0.5,
    max_backoff_s: float = 30.0,
    on: Iterable[type[BaseException] | str] | type[BaseException] | str = (Exception,),
) -> dict[str, Any]:
    """A retry policy as plain data, checked: ``{"times", "backoff_s", "max_backoff_s", "on"}``
    with ``on`` as exception names (what the schema shows and a script carries)."""
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= MAX_TIMES:
        raise ValueError(f"retry times must be a whole number from 1 to {MAX_TIMES} (attempts in all), got {times!r}")
    for key, value in (("backoff_s", backoff_s), ("max_backoff_s", max_backoff_s)):
        if not _seconds(value, zero=True):
            raise ValueError(f"retry {key} must be a number of seconds, 0 or more, got {value!r}")
    if isinstance(on, (str, type)):
        on = (on,)
    names = [exception_name(kind) for kind in on]
    if not names:
        raise ValueError("retry on= names no exception: leave it out to retry on any Exception")
    return {"times": times, "backoff_s": float(backoff_s), "max_backoff_s": float(max_backoff_s), "on": names}


def timeout_seconds(value: Any) -> float:
    if not _seconds(value, zero=False):
        raise ValueError(f"a timeout must be a number of seconds above 0, got {value!r}")
    return float(value)


def _seconds(value: Any, zero: bool) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return False
    return value >= 0 if zero else value > 0


_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def exception_name(kind: type[BaseException] | str) -> str:
    """``TimeoutError`` for a built-in exception, ``module.Qualname`` for any other."""
    if isinstance(kind, str):
        if not _DOTTED.match(kind):
            raise ValueError(f"retry on= takes exception classes or dotted names, got {kind!r}")
        return kind
    if not isinstance(kind, type) or not issubclass(kind, BaseException):
        raise ValueError(f"retry on= takes exception classes or dotted names, got {kind!r}")
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def retry_matches(names: Iterable[str], error: BaseException) -> bool:
    """Whether ``error`` is one of the exceptions ``names`` (as ``exception_name`` writes them).

    A name matches a class of the error's MRO by its qualified name, in that module
    or one of its submodules (``openai.RateLimitError`` is ``openai._exceptions.RateLimitError``).
    """
    for kind in type(error).__mro__:
        for name in names:
            module, _, qualname = name.rpartition(".")
            if qualname != kind.__qualname__:
                continue
            if module == kind.__module__ or (not module and kind.__module__ == "builtins"):
                return True
            if module and kind.__module__.startswith(module + "."):
                return True
    return False


def retry_delay(policy: dict[str, Any], attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, ...) before the next."""
    return float(min(policy["backoff_s"] * 2 ** (attempt - 1), policy["max_backoff_s"]))


class _Skip:
    """An output that was not taken: what waits on it is skipped, not run."""

    _instance: _Skip | None = None

    def __new__(cls) -> _Skip:
        # One value, as None is one: compared with ``is``, and unpickled as itself.
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Skip"

    def __reduce__(self) -> str:
        return "Skip"

    def __bool__(self) -> bool:
        return False


Skip = _Skip()


if TYPE_CHECKING:
    # To a type checker an AnnotatedDict is a dict (at run time, a subclass that changes
    # nothing), so a node may return a dict literal as above; the value type defaults to
    # Any, as at run time. (typing's own TypeVar takes a default from Python 3.13.)
    from typing import TypeAlias

    from typing_extensions import TypeVar as DefaultingTypeVar

    V = DefaultingTypeVar("V", default=Any)
    AnnotatedDict: TypeAlias = dict[K, V]
else:
    V = TypeVar("V")

    class AnnotatedDict(dict[K, V], Generic[K, V]):
        """A plain dict at run time; only its subscription carries meaning.

        Functions may return either a dict or an AnnotatedDict, so nothing here
        may change how a dict behaves.
        """

        def __class_getitem__(cls, params: Any) -> Any:
            # The one-argument form is the common one, but Generic wants both
            # parameters, so the value type defaults to Any.
            if not isinstance(params, tuple):
                params = (params, Any)
            if len(params) != 2:
                raise TypeError(
                    f"AnnotatedDict takes a Literal of keys and an optional value type, got {len(params)} arguments"
                )
            return super().__class_getitem__(params)


# What a pack imports; the constants are the loader's.
__all__ = ["AnnotatedDict", "Skip", "no_cache", "pool", "retry", "timeout"]
