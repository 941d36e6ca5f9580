"""Nodepacks: find the user's node functions and classes and describe them.

`load_catalog(dir)` imports every pack afresh and returns a `Catalog` of
`NodeSpec`s (callable target + spec §1 schema) and a `PackReport` per pack.
"""

from .annotated import AnnotatedDict
from .introspect import NodeKind, type_name
from .loader import PACK_FILES, Catalog, NodeSpec, PackReport, load_catalog
from .markers import no_cache, pool

__all__ = [
    "PACK_FILES",
    "AnnotatedDict",
    "Catalog",
    "NodeKind",
    "NodeSpec",
    "PackReport",
    "load_catalog",
    "no_cache",
    "pool",
    "type_name",
]
