"""What nodepacks import: ``from psynapse import AnnotatedDict, Skip, no_cache, pool``.

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

A node branches by returning ``Skip`` for an output: nodes wired to it are skipped
(``{"found": value, "missing": Skip}`` takes one of two ways).

Each decorator returns the function or class itself (no wrapper), with one
attribute the loader reads. ``@pool`` overrides the file's ``PSYNAPSE_POOL``;
``@no_cache`` opts one node out of the output cache, as ``PSYNAPSE_CACHE = False``
does for a whole file. ``AnnotatedDict[Literal[...]]`` gives a node one output
handle per key (``AnnotatedDict[Literal[...], int]`` also the value type).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K")

# Ids that go into a NATS subject token (a pool, a run id): no dots, wildcards or spaces.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

POOL_ATTR = "__psynapse_pool__"
CACHE_ATTR = "__psynapse_cache__"
DEFAULT_POOL = "default"


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
__all__ = ["AnnotatedDict", "Skip", "no_cache", "pool"]
