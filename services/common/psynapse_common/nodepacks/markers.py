"""Per-node settings a nodepack sets with a decorator; stdlib only, cheap to import.

    from psynapse import no_cache, pool

    @pool("gpu")
    def render(scene: str) -> str: ...

    @no_cache
    def roll_dice() -> int: ...

Each decorator returns the function or class itself (no wrapper), with one
attribute the loader reads. ``@pool`` overrides the file's ``PSYNAPSE_POOL``;
``@no_cache`` opts one node out of the output cache, as ``PSYNAPSE_CACHE = False``
does for a whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..subjects import check_token

T = TypeVar("T")

POOL_ATTR = "__psynapse_pool__"
CACHE_ATTR = "__psynapse_cache__"
DEFAULT_POOL = "default"


def pool(name: str) -> Callable[[T], T]:
    """Run this node on the runners of pool ``name`` (``psynapse runner --pool name``)."""
    # A pool names a subject token (psynapse.jobs.<pool>) and a consumer
    # (runners-<pool>). Raised at import time, the loader reports the error
    # against the pack's file and line.
    check_token(name, "pool")

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


__all__ = ["CACHE_ATTR", "DEFAULT_POOL", "POOL_ATTR", "no_cache", "pool"]
