"""Cutting a plan into segments: the nodes one runner executes in order, as one job.

A segment may be a single slow node, a chain, a group of quick nodes or a whole
small run; which it is follows from the graph's shape, the nodes' pools and which
nodes are *heavy* (calls not known to be quick: they are worth running in
parallel). The rules:

- A segment runs in one pool (built-ins fit any).
- Heavy nodes share a segment only when one depends on the other: heavy nodes that
  could run at the same time get segments of their own, so they fan out to runners.
- A segment starts once every node it needs from outside is settled, so a node
  joins a segment only if that adds nothing new to wait for. That also keeps the
  segments' own dependencies acyclic: a merge that would close a cycle would have
  added a wait first.
- Within a segment, quick nodes run before heavy ones whenever both are ready, so
  a quick node never waits behind a slow call it does not depend on.
- A node the orchestrator runs itself (a map, a loop) is a segment alone that
  nothing joins: what comes after it waits for it.

Pure: the orchestrator cuts with what its learner knows, tests cut with whatever
they like. Node sets are bitsets over plan positions (Python ints).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .graph import Plan

DEFAULT_POOL = "default"


@dataclass(frozen=True)
class Segment:
    nodes: list[str]  # in the order the runner executes them
    pool: str


@dataclass
class _Part:
    members: list[int]
    member_bits: int
    waits_for: int  # nodes outside it that its members take inputs from
    depends_on: int  # every node of every segment it waits for, transitively
    heavy: list[int]  # its heavy nodes, in plan order; each depends on the previous
    pool: str | None
    sealed: bool = False  # one node that stays alone


def cut(
    plan: Plan,
    heavy: Collection[str],
    nodes: Iterable[str] | None = None,
    max_nodes: int = 1000,
    alone: Collection[str] = (),
) -> list[Segment]:
    """Segments covering ``nodes`` (default: the whole plan), in plan order of their first node.

    Predecessors outside ``nodes`` are settled or in other hands already (a resumed
    run); they gate a segment's start but not how the rest is cut. ``alone``: nodes
    that are segments of their own, which nothing joins.
    """
    chosen = set(plan.order) if nodes is None else set(nodes)
    order = [node_id for node_id in plan.order if node_id in chosen]
    if not order:
        return []
    pools = {plan.functions[n].pool for n in order if n in plan.functions}
    simple = not any(n in heavy or n in alone for n in order)
    if len(pools) <= 1 and len(order) <= max_nodes and simple:
        # The common small run: nothing worth parallel runners, one job.
        return [Segment(order, next(iter(pools), DEFAULT_POOL))]
    return _Cutter(plan, order, heavy, max_nodes, alone).run()


class _Cutter:
    def __init__(
        self, plan: Plan, order: list[str], heavy: Collection[str], max_nodes: int, alone: Collection[str]
    ) -> None:
        self.plan = plan
        self.is_alone = [node_id in alone for node_id in order]
        self.order = order
        self.max_nodes = max_nodes
        self.index = {node_id: i for i, node_id in enumerate(order)}
        self.is_heavy = [node_id in heavy for node_id in order]
        self.preds = [sorted(self.index[p] for p in plan.predecessors[node_id] if p in self.index) for node_id in order]
        self.ancestors = [0] * len(order)
        for i, preds in enumerate(self.preds):
            bits = 0
            for j in preds:
                bits |= self.ancestors[j] | (1 << j)
            self.ancestors[i] = bits
        self.part_of: list[_Part] = []

    def run(self) -> list[Segment]:
        for i, node_id in enumerate(self.order):
            spec = self.plan.functions.get(node_id)
            pool = spec.pool if spec is not None else None
            parts: list[_Part] = []
            for j in self.preds[i]:
                part = self.part_of[j]
                if not part.sealed and not any(part is seen for seen in parts):
                    parts.append(part)
            if self.is_alone[i]:
                sealed = self._alone(i, pool)
                sealed.sealed = True
                self.part_of.append(sealed)
                continue
            candidates = ([parts] if len(parts) > 1 else []) + [[part] for part in parts]
            for candidate in candidates:
                merged = self._join(candidate, i, pool)
                if merged is not None:
                    break
            else:
                merged = self._alone(i, pool)
            self.part_of.append(merged)
        seen: list[_Part] = []
        for part in self.part_of:
            if not any(part is known for known in seen):
                seen.append(part)
        return [Segment(self._execution_order(part), part.pool or DEFAULT_POOL) for part in seen]

    def _pred_bits(self, i: int) -> int:
        bits = 0
        for j in self.preds[i]:
            bits |= 1 << j
        return bits

    def _alone(self, i: int, pool: str | None) -> _Part:
        waits_for = self._pred_bits(i)
        depends_on = 0
        for j in self.preds[i]:
            part = self.part_of[j]
            depends_on |= part.member_bits | part.depends_on
        return _Part([i], 1 << i, waits_for, depends_on, [i] if self.is_heavy[i] else [], pool)

    def _join(self, parts: list[_Part], i: int, pool: str | None) -> _Part | None:
        """``parts`` and node ``i`` as one segment, or None when the rules forbid it."""
        pools = {part.pool for part in parts if part.pool is not None}
        if pool is not None:
            pools.add(pool)
        if len(pools) > 1 or sum(len(part.members) for part in parts) + 1 > self.max_nodes:
            return None
        heavy = sorted(h for part in parts for h in part.heavy)
        if self.is_heavy[i]:
            heavy.append(i)
        for earlier, later in itertools.pairwise(heavy):
            if not self.ancestors[later] >> earlier & 1:
                return None  # two slow calls that could run side by side
        member_bits = 1 << i
        waits_for = self._pred_bits(i)
        for part in parts:
            member_bits |= part.member_bits
            waits_for |= part.waits_for
        waits_for &= ~member_bits
        if any(waits_for & ~part.depends_on for part in parts):
            return None  # a part would start later than it does alone
        depends_on = 0
        for part in parts:
            depends_on |= part.depends_on
        for j in self.preds[i]:
            if not member_bits >> j & 1:
                outside = self.part_of[j]
                depends_on |= outside.member_bits | outside.depends_on
        largest = max(parts, key=lambda part: len(part.members))
        for part in parts:
            if part is not largest:
                largest.members.extend(part.members)
                for j in part.members:
                    self.part_of[j] = largest
        largest.members.append(i)
        largest.member_bits = member_bits
        largest.waits_for = waits_for
        largest.depends_on = depends_on
        largest.heavy = heavy
        largest.pool = next(iter(pools), None)
        return largest

    def _execution_order(self, part: _Part) -> list[str]:
        """Topological within the segment; a ready quick node goes before a ready heavy one."""
        members = part.member_bits
        waiting = {i: sum(1 for j in self.preds[i] if members >> j & 1) for i in part.members}
        successors: dict[int, list[int]] = {i: [] for i in part.members}
        for i in part.members:
            for j in self.preds[i]:
                if members >> j & 1:
                    successors[j].append(i)
        ready = [(self.is_heavy[i], i) for i, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        ordered: list[str] = []
        while ready:
            _, i = heapq.heappop(ready)
            ordered.append(self.order[i])
            for k in successors[i]:
                waiting[k] -= 1
                if waiting[k] == 0:
                    heapq.heappush(ready, (self.is_heavy[k], k))
        return ordered
