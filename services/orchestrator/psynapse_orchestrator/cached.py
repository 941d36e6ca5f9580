"""One run's use of the output cache: which nodes await a lookup, and what to store.

Ready cacheable function nodes are looked up together, in a task, so the event
callback every run shares never waits on the bucket. A miss's key is kept until its
completed event arrives; a node that got its inputs inside its job (a chain or group
member) is keyed from the inputs its event reports, which are the same bytes.

Hits let their successors be looked up in turn: one round trip per level of the
graph. So after hits, the content keys of all their cacheable descendants are
predicted from lineage entries and those outputs fetched at once (two round trips
whatever the depth); a prefetched output is used when its node is ready and its
real inputs give the predicted key, so a wrong prediction costs a lookup, never a
wrong value.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Coroutine
from typing import Any

import msgspec
import structlog

from psynapse_common import codec
from psynapse_common.cache import (
    LINEAGE_PREFIX,
    NodeCache,
    cache_key,
    lineage_key,
    value_digest,
)
from psynapse_common.graph import FUNCTION, LIST, VARIABLE, Plan
from psynapse_common.invoke import describe_error
from psynapse_common.messages import GraphEdge, NodeEvent
from psynapse_common.wiring import Wiring

log = structlog.get_logger()


class RunCache:
    def __init__(self, cache: NodeCache, plan: Plan, wiring: Wiring, run_id: str) -> None:
        self._cache = cache
        self._plan = plan
        self._wiring = wiring
        self._run_id = run_id
        self._pending: list[str] = []  # ready cacheable nodes, looked up together
        self.looking: set[str] = set()  # ... and those whose lookup is under way
        self._keys: dict[str, str] = {}  # keys of dispatched misses, for their store
        self._to_store: list[tuple[str, str | None, dict[str, msgspec.Raw], msgspec.Raw]] = []
        self._tasks: set[asyncio.Task] = set()
        self._lineages: dict[str, bytes | None] | None = None
        self._prefetched: dict[str, tuple[str, msgspec.Raw]] = {}  # node -> (predicted key, output)
        self._prefetch_tried: set[str] = set()

    def cacheable(self, node_id: str) -> bool:
        spec = self._plan.functions[node_id]
        return spec.cacheable and bool(spec.code_hash)

    def defer(self, functions: list[str]) -> list[str]:
        """Queue the cacheable nodes for a lookup; return the others, to dispatch now."""
        rest = []
        for node_id in functions:
            if self.cacheable(node_id):
                self._pending.append(node_id)
                self.looking.add(node_id)
            else:
                rest.append(node_id)
        return rest

    def take_pending(self) -> list[str]:
        nodes, self._pending = self._pending, []
        return nodes

    def spawn(self, lookup: Coroutine[Any, Any, None], on_failure: Callable[[str], None] | None = None) -> None:
        task = asyncio.create_task(lookup)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._task_done(done, on_failure))

    def _task_done(self, task: asyncio.Task, on_failure: Callable[[str], None] | None) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = describe_error(task.exception())
            log.error("run.cache_task_failed", run_id=self._run_id, error=error)
            if on_failure is not None:
                on_failure(error)  # the run must end, not wait for nodes nobody will run

    def _key(self, node_id: str, inputs: dict[str, msgspec.Raw]) -> str:
        spec = self._plan.functions[node_id]
        return cache_key(spec.code_hash, spec.name, inputs)

    async def look_up(
        self, nodes: list[str]
    ) -> tuple[list[tuple[str, dict[str, msgspec.Raw], msgspec.Raw]], list[str]]:
        """(hits as (node, inputs, output), misses); misses' keys are kept for their store."""
        inputs = {node_id: self._wiring.job_steps([node_id])[0].inputs for node_id in nodes}
        keys = [self._key(node_id, inputs[node_id]) for node_id in nodes]
        try:
            found = await self._cache.get_many(keys)
        except Exception as exc:  # noqa: BLE001 - a cache that cannot answer: run them all
            log.warning("run.lookup_failed", run_id=self._run_id, error=describe_error(exc))
            found = [None] * len(nodes)
        self.looking.difference_update(nodes)
        hits, misses = [], []
        for node_id, key, output in zip(nodes, keys, found):
            if output is None:
                self._keys[node_id] = key
                misses.append(node_id)
            else:
                hits.append((node_id, inputs[node_id], output))
        return hits, misses

    def store(self, event: NodeEvent) -> None:
        """Queue a node's fresh output, to keep under the key of the inputs it actually got."""
        key = self._keys.pop(event.node_id, None)
        if self.cacheable(event.node_id):
            self._to_store.append((event.node_id, key, event.inputs, event.output))

    def flush_stores(self) -> None:
        """Store what was queued, in a task: after the events those nodes let happen."""
        if self._to_store:
            batch, self._to_store = self._to_store, []
            self.spawn(self._store_all(batch))

    async def _store_all(self, batch: list[tuple[str, str | None, dict[str, msgspec.Raw], msgspec.Raw]]) -> None:
        lineages = self._lineage()
        for node_id, key, inputs, output in batch:
            key = key or self._key(node_id, inputs)
            await self._cache.put(key, output)
            lineage = lineages.get(node_id)
            if lineage is not None:
                await self._cache.put(LINEAGE_PREFIX + lineage.hex(), msgspec.Raw(key.encode()))

    # -- prefetching a cascade of hits ----------------------------------------------
    def _lineage(self) -> dict[str, bytes | None]:
        """Every node's lineage (None: not predictable), once per run, in plan order."""
        if self._lineages is not None:
            return self._lineages
        plan = self._plan
        lineages: dict[str, bytes | None] = {}
        for node_id in plan.order:
            node = plan.nodes[node_id]
            found: bytes | None = None
            if node.type == VARIABLE:
                output = self._wiring.outputs.get(node_id)
                found = value_digest(output) if output is not None else None
            elif node.type == LIST:
                parts = [self._source(edge, lineages) for edge in plan.incoming[node_id]]
                if all(part is not None for part in parts):
                    hasher = hashlib.sha256(b"list")
                    for part in parts:
                        hasher.update(len(part).to_bytes(8, "big") + part)  # type: ignore[arg-type]
                    found = hasher.digest()
            elif node.type == FUNCTION and self.cacheable(node_id):
                found = self._function_lineage(node_id, lineages)
            lineages[node_id] = found
        self._lineages = lineages
        return lineages

    def _function_lineage(self, node_id: str, lineages: dict[str, bytes | None]) -> bytes | None:
        spec = self._plan.functions[node_id]
        data = self._plan.nodes[node_id].data
        # As Wiring.job_steps: graph values, then wires over them.
        sources = {p: value_digest(codec.encode(data[p])) for p in spec.params if p in data}
        for edge in self._plan.incoming[node_id]:
            source = self._source(edge, lineages)
            if source is None:
                return None
            sources[edge.target_handle or ""] = source
        return bytes.fromhex(lineage_key(spec.code_hash, spec.name, sources))

    def _source(self, edge: GraphEdge, lineages: dict[str, bytes | None]) -> bytes | None:
        """What flows along a wire: its source's lineage and, of a multi-output node, the key."""
        upstream = lineages.get(edge.source)
        if upstream is None:
            return None
        spec = self._plan.functions.get(edge.source)
        keys = spec.output_keys if spec is not None else None
        handle = edge.source_handle if keys and edge.source_handle in keys else ""
        return upstream + b"\0" + (handle or "").encode()

    async def prefetch(self, hits: list[str], settled: Callable[[str], bool]) -> None:
        """Fetch the predicted outputs of the hits' cacheable descendants, in two batches."""
        lineages = self._lineage()
        wanted: list[str] = []
        seen = set(hits)
        frontier = list(hits)
        while frontier:
            for child in self._plan.successors[frontier.pop()]:
                if child in seen:
                    continue
                seen.add(child)
                frontier.append(child)
                if lineages.get(child) is not None and child not in self._prefetch_tried and not settled(child):
                    wanted.append(child)
        if len(wanted) < 2:  # one successor: its own lookup is one round trip, not two
            return
        self._prefetch_tried.update(wanted)
        pointers = await self._cache.get_many([LINEAGE_PREFIX + lineages[n].hex() for n in wanted])  # type: ignore[union-attr]
        predicted = {n: bytes(p).decode() for n, p in zip(wanted, pointers) if p is not None}
        keys = sorted(set(predicted.values()))
        outputs = dict(zip(keys, await self._cache.get_many(keys)))
        for node_id, key in predicted.items():
            output = outputs.get(key)
            if output is not None:
                self._prefetched[node_id] = (key, output)

    def take_prefetched(self, node_id: str) -> tuple[dict[str, msgspec.Raw], msgspec.Raw] | None:
        """(inputs, output) of a ready node whose prefetched output fits its real inputs."""
        entry = self._prefetched.pop(node_id, None)
        if entry is None:
            return None
        inputs = self._wiring.job_steps([node_id])[0].inputs
        return (inputs, entry[1]) if self._key(node_id, inputs) == entry[0] else None
