"""A loaded catalog as the services exchange it: each node's ``CatalogNode``, and what a
runner in its pool's own Python environment publishes (a ``PoolCatalog``)."""

from __future__ import annotations

import platform
import sys
from typing import Any

from .messages import CatalogNode, PoolCatalog
from .nodepacks import Catalog, NodeSpec


def catalog_node(name: str, spec: NodeSpec) -> CatalogNode:
    return CatalogNode(
        name=name,
        kind=spec.kind,
        pack=spec.pack,
        pool=spec.pool,
        params=[p["name"] for p in spec.schema["params"]],
        output_keys=list(spec.output_keys) if spec.output_keys else None,
        cacheable=spec.cacheable,
        code_hash=spec.code_hash,
        constraints={p["name"]: p["constraints"] for p in spec.schema["params"] if "constraints" in p},
    )


def pool_catalog(catalog: Catalog, pool: str) -> PoolCatalog:
    """The nodes of ``pool`` in ``catalog`` (loaded in this environment), and every pack's
    report with its nodes, missing packages and errors as they concern ``pool``."""
    ours = {name for name, spec in catalog.nodes.items() if spec.pool == pool}
    packs: list[dict[str, Any]] = []
    for report in catalog.pack_reports():
        missing = []
        for need in report["missing"]:
            nodes = [name for name in need["nodes"] if name in ours]
            if nodes or not need["nodes"]:
                missing.append({**need, "nodes": nodes, "pool": pool})
        packs.append(
            {
                **report,
                "nodes": [name for name in report["nodes"] if name in ours],
                "missing": missing,
                "errors": [{**error, "pool": pool} for error in report["errors"]],
            }
        )
    return PoolCatalog(
        pool=pool,
        python=sys.executable,
        python_version=platform.python_version(),
        nodes={name: catalog_node(name, catalog.nodes[name]) for name in catalog.nodes if name in ours},
        schemas={name: catalog.nodes[name].schema for name in catalog.nodes if name in ours},
        packs=packs,
    )
