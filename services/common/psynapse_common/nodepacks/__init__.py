"""Nodepacks: find the user's node functions and classes and describe them.

`load_catalog(dir)` imports every pack afresh (the folders of `dir` and the installed
distributions' `psynapse.nodepacks` entry points) and returns a `Catalog` of
`NodeSpec`s (callable target + spec §1 schema) and a `PackReport` per pack.
"""

from .catalog import Catalog, NodeSpec, PackReport
from .introspect import NodeKind, type_name
from .loader import PACK_FILES, load_catalog, load_pack
from .packages import ENTRY_POINT_GROUP

__all__ = [
    "ENTRY_POINT_GROUP",
    "PACK_FILES",
    "Catalog",
    "NodeKind",
    "NodeSpec",
    "PackReport",
    "load_catalog",
    "load_pack",
    "type_name",
]
