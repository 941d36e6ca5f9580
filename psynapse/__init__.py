"""Psynapse: what nodepack authors import.

    from psynapse import AnnotatedDict, Skip, no_cache, pool, retry, timeout

Only the SDK is imported here: the CLI, the embedded stack, headless runs and
export are subpackages a pack never loads.
"""

from .sdk import AnnotatedDict, Skip, no_cache, pool, retry, timeout

__all__ = ["AnnotatedDict", "Skip", "no_cache", "pool", "retry", "timeout"]
