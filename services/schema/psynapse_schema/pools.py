"""The catalog served: this service's own load, with the nodes of each pool that runs in
its own Python environment as that pool's runners introspected them.

A node belongs to the pool its code names (``PSYNAPSE_POOL``, ``@pool``). When the runners
of that pool publish what they loaded (``PoolCatalog``: they were started with ``--python``
or in an image of their own), their copy of the pool's nodes replaces this service's:
their pack may import libraries that only exist there, or in another version. A pack is
reported as it loaded where its nodes come from (its errors and missing packages name the
pool); a pack that loads nowhere shows its errors from everywhere it was tried.

Reported too: a name two pools define differently (a clash: the first pool's node is
kept), and the pools whose nodes no live runner takes (``missing_pools``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from psynapse_common.messages import CatalogNode, CatalogSnapshot, PoolCatalog

# The schema service's own environment, where a node comes from when its pool has none.
_HERE = ""


@dataclass
class Merged:
    schemas: list[dict[str, Any]] = field(default_factory=list)
    packs: list[dict[str, Any]] = field(default_factory=list)
    clashes: list[dict[str, Any]] = field(default_factory=list)
    nodes: dict[str, CatalogNode] = field(default_factory=dict)

    def snapshot(self, revision: int, code_load: int) -> CatalogSnapshot:
        return CatalogSnapshot(
            revision=revision,
            schemas=self.schemas,
            packs=self.packs,
            clashes=self.clashes,
            nodes=self.nodes,
            code_load=code_load,
        )


def merge(local: CatalogSnapshot, views: dict[str, PoolCatalog], live_pools: set[str] | None) -> Merged:
    """``local`` (this service's load) with ``views`` (by pool); ``live_pools``: the pools
    some runner beats for (None: not known yet, nothing is reported missing)."""
    local_schemas = {schema["name"]: schema for schema in local.schemas}
    nodes: dict[str, CatalogNode] = {}
    schemas: dict[str, dict[str, Any]] = {}
    where: dict[str, str] = {}  # node -> the pool whose environment gave it (_HERE: ours)
    clashes = copy.deepcopy(local.clashes)
    for name, node in local.nodes.items():
        if node.pool not in views:
            nodes[name], schemas[name], where[name] = node, local_schemas[name], _HERE
    for pool in sorted(views):
        view = views[pool]
        for name, node in view.nodes.items():
            held = nodes.get(name)
            if held is None:
                nodes[name], schemas[name], where[name] = node, view.schemas[name], pool
            elif held.pack != node.pack or _signature(schemas[name]) != _signature(view.schemas[name]):
                clashes.append(
                    {"name": name, "packs": [held.pack, node.pack], "listed_as": [name], "pools": [held.pool, pool]}
                )
    packs = _packs(local, views, nodes, where)
    if live_pools is not None:
        for pack in packs:
            pack["missing_pools"] = [
                {"pool": pool, "nodes": [name for name in pack["nodes"] if nodes[name].pool == pool]}
                for pool in pack["pools"]
                if pool not in live_pools
            ]
    return Merged(schemas=[schemas[name] for name in nodes], packs=packs, clashes=clashes, nodes=dict(nodes.items()))


def _packs(
    local: CatalogSnapshot, views: dict[str, PoolCatalog], nodes: dict[str, CatalogNode], where: dict[str, str]
) -> list[dict[str, Any]]:
    # Each pack as every environment loaded it, ours first.
    loads: dict[str, dict[str, dict[str, Any]]] = {}
    for report in local.packs:
        loads.setdefault(report["name"], {})[_HERE] = report
    for pool in sorted(views):
        for report in views[pool].packs:
            loads.setdefault(report["name"], {})[pool] = report
    merged = []
    for name, by_env in loads.items():
        listed = [node for node, spec in nodes.items() if spec.pack == name]
        sources = [env for env in by_env if any(where[node] == env for node in listed)]
        # A pack none of whose nodes were found: what went wrong wherever it was tried.
        tried = sources or list(by_env)
        report = dict(by_env[tried[0]])
        report["errors"] = [error for env in tried for error in by_env[env]["errors"]]
        report["missing"] = [
            need
            for env in tried
            for need in by_env[env]["missing"]
            if not need["nodes"] or any(where.get(node) == env for node in need["nodes"])
        ]
        report["nodes"] = listed
        report["status"] = "error" if report["errors"] else "ok"
        report["pools"] = sorted({nodes[node].pool for node in listed})
        # The pools whose own environments introspected it (none: this service did).
        report["environments"] = sorted(env for env in sources if env != _HERE)
        report["missing_pools"] = []
        merged.append(report)
    return merged


def _signature(schema: dict[str, Any]) -> Any:
    return (schema.get("params"), schema.get("returns"), schema.get("is_progress_node"), schema.get("is_stream_node"))
