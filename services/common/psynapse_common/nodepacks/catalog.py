"""What a load of the nodepacks gives: each node's spec, a report per pack, the name clashes."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from ..constraints import Rules
from .introspect import NodeKind


@dataclass(frozen=True)
class NodeSpec:
    name: str
    kind: NodeKind
    target: Any
    schema: dict[str, Any]
    pack: str
    pool: str
    param_types: dict[str, Any]
    output_keys: tuple[str, ...] | None
    cacheable: bool
    # Source and pack version: outputs cached under another code hash are stale.
    code_hash: str = ""
    # Its call is awaited (async def, an async __call__, an async generator): on the
    # runner's event loop, not a thread.
    awaited: bool = False
    # Rules on its inputs (Annotated metadata), by parameter: checked before it is called.
    rules: dict[str, Rules] = field(default_factory=dict)
    # Its retry policy (``sdk.retry_policy``'s dict) and timeout: its decorators', else its file's.
    retry: dict[str, Any] | None = None
    timeout_s: float | None = None


@dataclass
class PackReport:
    name: str
    path: str
    status: Literal["ok", "error"] = "ok"
    errors: list[dict[str, Any]] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    # Packages a file declares it needs (PSYNAPSE_REQUIRES) that are not installed:
    # its nodes load, but would fail when they run. {"module", "install", "file", "nodes"}.
    missing: list[dict[str, Any]] = field(default_factory=list)
    # A folder in the nodepacks folder, or an installed distribution's entry point
    # (then its name and version).
    source: Literal["folder", "package"] = "folder"
    distribution: str | None = None
    version: str | None = None

    def add_error(self, file: str, line: int | None, message: str) -> None:
        self.errors.append({"file": file, "line": line, "message": message})
        self.status = "error"


@dataclass
class Catalog:
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    packs: list[PackReport] = field(default_factory=list)
    clashes: list[dict[str, Any]] = field(default_factory=list)

    def schemas(self) -> list[dict[str, Any]]:
        # Copies, so a caller decorating a schema cannot change the catalog.
        return [copy.deepcopy(spec.schema) for spec in self.nodes.values()]

    def pack_reports(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(report) for report in self.packs]

    def add_pack(self, report: PackReport, specs: list[NodeSpec]) -> None:
        """Add a pack's nodes; a name another pack already holds is listed as `pack.name`."""
        for spec in specs:
            holder = self.nodes.get(spec.name)
            listed = spec.name if holder is None else f"{spec.pack}.{spec.name}"
            if (holder is not None and holder.pack == spec.pack) or listed in self.nodes:
                report.add_error(
                    spec.schema["filepath"],
                    def_line(spec.target),
                    f"node {spec.name!r} is defined twice in this pack; only the first is listed",
                )
                continue
            if holder is not None:
                self._record_clash(spec.name, holder.pack, spec.pack, listed)
                spec = dataclasses.replace(spec, name=listed, schema={**spec.schema, "name": listed})
            self.nodes[listed] = spec
            report.nodes.append(listed)
        self.packs.append(report)

    def _record_clash(self, name: str, holder_pack: str, pack: str, listed: str) -> None:
        clash = next((c for c in self.clashes if c["name"] == name), None)
        if clash is None:
            clash = {"name": name, "packs": [holder_pack], "listed_as": [name]}
            self.clashes.append(clash)
        clash["packs"].append(pack)
        clash["listed_as"].append(listed)


def def_line(obj: Any) -> int | None:
    code = getattr(obj, "__code__", None)
    return code.co_firstlineno if code else None
