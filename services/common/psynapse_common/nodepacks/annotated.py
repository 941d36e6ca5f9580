"""`AnnotatedDict`: the return annotation for a node with several named outputs.

    def split_name(full_name: str) -> AnnotatedDict[Literal["first", "last"]]:
        return {"first": ..., "last": ...}

Each Literal key becomes an output handle. `AnnotatedDict[Literal[...], int]`
also gives the value type (shared by all keys); with one argument it is `Any`.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class AnnotatedDict(dict, Generic[K, V]):
    """A plain dict at run time; only its subscription carries meaning.

    Functions may return either a dict or an AnnotatedDict, so nothing here
    may change how a dict behaves.
    """

    def __class_getitem__(cls, params):
        # The one-argument form is the common one, but Generic wants both
        # parameters, so the value type defaults to Any.
        if not isinstance(params, tuple):
            params = (params, Any)
        if len(params) != 2:
            raise TypeError(
                f"AnnotatedDict takes a Literal of keys and an optional value type, got {len(params)} arguments"
            )
        return super().__class_getitem__(params)


__all__ = ["AnnotatedDict"]
