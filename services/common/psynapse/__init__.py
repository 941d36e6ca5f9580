"""Psynapse: what nodepack authors import.

    from psynapse import AnnotatedDict
"""

from psynapse_common.nodepacks.annotated import AnnotatedDict

__all__ = ["AnnotatedDict"]
