"""Nodepacks: find the user's node functions and classes and describe them.

`load_catalog(dir)` imports every pack afresh and returns a `Catalog` of
`NodeSpec`s (callable target + spec §1 schema) and a `PackReport` per pack.
"""

from .introspect import NodeKind, type_name
from .loader import PACK_FILES, Catalog, NodeSpec, PackReport, load_catalog

__all__ = [
    "PACK_FILES",
    "Catalog",
    "NodeKind",
    "NodeSpec",
    "PackReport",
    "load_catalog",
    "type_name",
]
