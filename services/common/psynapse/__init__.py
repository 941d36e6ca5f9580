"""Psynapse: what nodepack authors import.

    from psynapse import AnnotatedDict, no_cache, pool
"""

from psynapse_common.nodepacks.annotated import AnnotatedDict
from psynapse_common.nodepacks.markers import no_cache, pool

__all__ = ["AnnotatedDict", "no_cache", "pool"]
