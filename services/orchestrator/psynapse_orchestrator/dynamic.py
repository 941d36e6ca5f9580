"""Maps and loops: nodes the orchestrator runs by adding copies of a workflow to the run.

A map adds one copy per item of its list (``map/3/...``), at most ``concurrency`` at a
time, and gives the copies' results as a list in item order. A loop adds one copy
per iteration (``loop/0/...``), each fed the outputs of the one before, while its
``whileOutput`` is true, up to ``maxIterations``. The copies are ordinary nodes of the
run: cut into segments, sent to runners, cached and resumed like the rest; their ids
are made from the item or iteration index, so a resumed run makes the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import msgspec

from psynapse_common import codec
from psynapse_common.conversion import ConversionError, truth
from psynapse_common.graph import (
    CONST,
    MAP,
    Plan,
    Schedule,
    Workflow,
    error_kind,
    loop_max_iterations,
    map_concurrency,
)
from psynapse_common.messages import NIL, GraphEdge, GraphNode, NodeEvent, NodeStatus
from psynapse_common.subgraphs import Feed, copy_of, expand
from psynapse_common.wiring import Wiring

if TYPE_CHECKING:
    from collections.abc import Iterable

ITEM = "@item"  # the constant node holding a map item's value, inside its copy


class Host(Protocol):
    """What a map or loop needs of the run it belongs to."""

    plan: Plan
    schedule: Schedule
    wiring: Wiring

    @property
    def stopping(self) -> bool: ...

    async def add_copy(
        self, nodes: list[GraphNode], edges: list[GraphEdge], preset: dict[str, msgspec.Raw]
    ) -> None: ...

    async def fetch_value(self, raw: msgspec.Raw) -> msgspec.Raw: ...

    async def store_value(self, raw: msgspec.Raw) -> msgspec.Raw: ...

    async def say(self, event: NodeEvent) -> None: ...

    async def progress(self, node_id: str, fraction: float, message: str) -> None: ...

    async def end(self, node_id: str, output: msgspec.Raw | None, error: str | None = None) -> None: ...


@dataclass
class _Copy:
    index: int
    nodes: set[str]
    outputs: dict[str, str]  # output name -> port
    unsettled: int = 0
    finished: bool = False


@dataclass
class Copies:
    """One map or loop node, while it runs."""

    host: Host
    node_id: str
    workflow: Workflow
    copies: dict[int, _Copy] = field(default_factory=dict)
    ended: bool = False

    @property
    def node(self) -> GraphNode:
        return self.host.plan.nodes[self.node_id]

    def _feeds(self) -> dict[str, Feed]:
        """The map's or loop's own wired inputs, by input name."""
        return {
            edge.target_handle or "": (edge.source, edge.source_handle)
            for edge in self.host.plan.incoming[self.node_id]
        }

    async def _add(self, index: int, feeds: dict[str, Feed], preset: dict[str, msgspec.Raw]) -> None:
        prefix = f"{self.node_id}/{index}/"
        nodes, edges, outputs = copy_of(self.workflow, prefix, feeds, f"{self.kind} node '{self.node_id}'")
        nodes, edges = expand(nodes, edges, self.host.plan.library)
        nodes += [GraphNode(id=node_id, type=CONST) for node_id in preset]
        copy = _Copy(index, {node.id for node in nodes}, outputs)
        schedule = self.host.schedule
        self.copies[index] = copy
        await self.host.add_copy(nodes, edges, preset)
        copy.unsettled = sum(1 for node_id in copy.nodes if not schedule.is_settled(node_id))
        if copy.unsettled == 0:
            await self._copy_done(copy)

    @property
    def kind(self) -> str:
        return "Map" if self.node.type == MAP else "Loop"

    async def settled(self, node_ids: Iterable[str]) -> None:
        """Nodes of the run settled: a copy whose last node it was is done."""
        if self.ended:
            return
        for node_id in node_ids:
            copy = self._copy_of(node_id)
            if copy is None or copy.finished:
                continue
            copy.unsettled -= 1
            if copy.unsettled == 0:
                await self._copy_done(copy)
                if self.ended:
                    return

    def _copy_of(self, node_id: str) -> _Copy | None:
        prefix = self.node_id + "/"
        if not node_id.startswith(prefix):
            return None
        index, _, _ = node_id[len(prefix) :].partition("/")
        copy = self.copies.get(int(index)) if index.isdigit() else None
        return copy if copy is not None and node_id in copy.nodes else None

    def _failure(self, copy: _Copy) -> str | None:
        """Why a copy failed: its first node that failed of its own accord, or None."""
        failed = self.host.schedule.failed
        for node_id in self.host.plan.order:
            if node_id in copy.nodes and node_id in failed and error_kind(failed[node_id]) is None:
                return f"node '{node_id}' ({self.host.plan.node_name(node_id)}): {failed[node_id]}"
        return None

    def _result(self, copy: _Copy) -> msgspec.Raw:
        outputs = self.host.wiring.outputs
        values = {name: outputs.get(port, NIL) for name, port in copy.outputs.items()}
        if len(values) == 1:
            return next(iter(values.values()))
        return msgspec.Raw(msgspec.msgpack.encode(values))

    async def _copy_done(self, copy: _Copy) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        raise NotImplementedError

    async def resume(self, seen: set[str]) -> None:
        """Remake the copies a resumed run had made: every index up to the last one its
        log or its queued jobs show (copies are made in index order)."""
        raise NotImplementedError

    async def recount(self) -> None:
        """After a resume's log is applied: copies done already are done, the rest goes on."""
        schedule = self.host.schedule
        for copy in sorted(self.copies.values(), key=lambda c: c.index):
            copy.unsettled = sum(1 for node_id in copy.nodes if not schedule.is_settled(node_id))
            if copy.unsettled == 0 and not copy.finished and not self.ended:
                await self._copy_done(copy)

    def _made(self, seen: set[str]) -> range:
        prefix = self.node_id + "/"
        last = -1
        for node_id in seen:
            if node_id.startswith(prefix):
                index = node_id[len(prefix) :].partition("/")[0]
                if index.isdigit():
                    last = max(last, int(index))
        return range(last + 1)


@dataclass
class MapRun(Copies):
    items: list[msgspec.Raw] = field(default_factory=list)
    next_index: int = 0
    done: int = 0
    results: dict[int, msgspec.Raw] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)

    @property
    def continue_on_error(self) -> bool:
        return bool(self.node.data.get("continueOnError", False))

    async def _read_items(self) -> bool:
        feeds = self._feeds()
        source, handle = feeds["items"]
        raw = self.host.wiring.value_of(source, handle)
        if codec.is_skipped(raw):
            self.ended = True
            await self.host.end(self.node_id, codec.SKIPPED)
            return False
        whole = await self.host.fetch_value(raw)
        try:
            self.items = msgspec.msgpack.decode(whole, type=list[msgspec.Raw])
        except msgspec.DecodeError:
            shown = codec.show(whole)
            self.ended = True
            await self.host.end(
                self.node_id, None, f"Map: items must be a list, got {type(shown).__name__} {str(shown)[:80]!r}"
            )
            return False
        return True

    async def start(self) -> None:
        await self.host.say(self._event("executing"))
        if not await self._read_items():
            return
        if not self.items:
            await self._finish()
            return
        await self._launch()

    async def resume(self, seen: set[str]) -> None:
        if not await self._read_items():
            return
        for index in self._made(seen):
            if index < len(self.items):
                await self._make(index)
        self.next_index = max(self.copies, default=-1) + 1

    async def recount(self) -> None:
        await super().recount()
        if self.ended or self.host.stopping:
            return
        await self._launch()
        if all(copy.finished for copy in self.copies.values()) and self.next_index >= len(self.items):
            if self.failures_stop():
                first = min(self.failures)
                self.ended = True
                await self.host.end(self.node_id, None, f"item {first} failed: {self.failures[first]}")
            else:
                await self._finish()

    async def _launch(self) -> None:
        limit = map_concurrency(self.node)
        while (
            not self.host.stopping
            and not self.failures_stop()
            and self.next_index < len(self.items)
            and sum(1 for copy in self.copies.values() if not copy.finished) < limit
        ):
            index = self.next_index
            self.next_index += 1
            await self._make(index)

    def failures_stop(self) -> bool:
        return bool(self.failures) and not self.continue_on_error

    async def _make(self, index: int) -> None:
        item_node = f"{self.node_id}/{index}/{ITEM}"
        feeds = {name: feed for name, feed in self._feeds().items() if name != "items"}
        feeds[str(self.node.data["itemInput"])] = (item_node, None)
        await self._add(index, feeds, {item_node: await self.host.store_value(self.items[index])})

    async def _copy_done(self, copy: _Copy) -> None:
        copy.finished = True
        failure = self._failure(copy)
        if failure is not None:
            self.failures[copy.index] = failure
            self.results[copy.index] = NIL
        else:
            self.results[copy.index] = self._result(copy)
        self.done += 1
        total = len(self.items)
        failed = f", {len(self.failures)} failed" if self.failures else ""
        await self.host.progress(self.node_id, self.done / total, f"{self.done}/{total} items{failed}")
        if self.host.stopping:
            return  # the run's cancel ends the map
        await self._launch()
        if any(not c.finished for c in self.copies.values()):
            return
        if self.failures_stop():
            first = min(self.failures)
            self.ended = True
            await self.host.end(self.node_id, None, f"item {first} failed: {self.failures[first]}")
        elif self.next_index >= total:
            await self._finish()

    async def _finish(self) -> None:
        self.ended = True
        ordered = [self.results.get(index, NIL) for index in range(len(self.items))]
        await self.host.end(self.node_id, msgspec.Raw(msgspec.msgpack.encode(ordered)))

    def _event(self, status: NodeStatus) -> NodeEvent:
        return NodeEvent(node_id=self.node_id, node_name="Map", status=status)


@dataclass
class LoopRun(Copies):
    iteration: int = 0

    async def start(self) -> None:
        await self.host.say(NodeEvent(node_id=self.node_id, node_name="Loop", status="executing"))
        await self._add(0, self._feeds(), {})

    async def resume(self, seen: set[str]) -> None:
        # Iterations follow one another: each was made after the one before ended,
        # so remaking them in order gives the same feeds.
        for index in self._made(seen):
            await self._make(index)

    async def recount(self) -> None:
        if not self.copies:
            await self._make(0)
            return
        await super().recount()

    async def _make(self, index: int) -> None:
        self.iteration = index
        if index == 0:
            await self._add(0, self._feeds(), {})
            return
        previous = self.copies[index - 1]
        feeds = self._feeds()
        for name in self.workflow.inputs:
            if name in previous.outputs:
                feeds[name] = (previous.outputs[name], "output")
        await self._add(index, feeds, {})

    async def _copy_done(self, copy: _Copy) -> None:
        copy.finished = True
        if copy.index != self.iteration or self.host.stopping:
            return  # remade on resume; the last one decides
        failure = self._failure(copy)
        if failure is not None:
            self.ended = True
            await self.host.end(self.node_id, None, f"iteration {copy.index} failed: {failure}")
            return
        condition_name = str(self.node.data["whileOutput"])
        raw = self.host.wiring.outputs.get(copy.outputs[condition_name], NIL)
        try:
            again = not codec.is_skipped(raw) and truth(codec.show(raw))
        except ConversionError as exc:
            self.ended = True
            await self.host.end(self.node_id, None, f"iteration {copy.index}: '{condition_name}': {exc}")
            return
        limit = loop_max_iterations(self.node)
        await self.host.progress(
            self.node_id, (copy.index + 1) / limit, f"iteration {copy.index + 1} of at most {limit}"
        )
        if not again:
            self.ended = True
            outputs = {name: self.host.wiring.outputs.get(port, NIL) for name, port in copy.outputs.items()}
            await self.host.end(self.node_id, msgspec.Raw(msgspec.msgpack.encode(outputs)))
            return
        if copy.index + 1 >= limit:
            self.ended = True
            await self.host.end(
                self.node_id,
                None,
                f"Loop reached its cap of {limit} iterations with '{condition_name}' still true",
            )
            return
        await self._make(copy.index + 1)


def controller(host: Host, node_id: str) -> Copies:
    workflow = host.plan.workflow(node_id)
    if host.plan.nodes[node_id].type == MAP:
        return MapRun(host, node_id, workflow)
    return LoopRun(host, node_id, workflow)
