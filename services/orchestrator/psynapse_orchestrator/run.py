"""One run, driven to its end: the plan cut into segments, each a job the moment its inputs are ready.

Every run takes this route, whatever asked for it. The orchestrator runs no node
itself: built-ins, functions and the output cache are the runners' (see
``psynapse_common.execute``). It hears each node's end, fails the dependants of a
node that failed, dispatches the segments that became ready and, once every node
is settled, stores the run's final event and acks its submit.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from nats.aio.msg import Msg

from psynapse_common import codec, messages
from psynapse_common.acks import AckConfirmer
from psynapse_common.blobs import Blobs
from psynapse_common.events import EventSink, confirm
from psynapse_common.graph import CANCELLED, DYNAMIC, MAP, Plan, Schedule
from psynapse_common.messages import (
    CatalogNode,
    Event,
    GraphEdge,
    GraphNode,
    Job,
    NodeEvent,
    NodeStatus,
    ProgressEvent,
    RunEvent,
    RunSubmit,
)
from psynapse_common.publisher import AckedPublisher, PublishError
from psynapse_common.segments import Segment, cut
from psynapse_common.subjects import Names
from psynapse_common.wiring import Wiring

from . import metrics
from .barrier import TROUBLE_WINDOW_S, wait_until_stored
from .dynamic import Copies, controller
from .learner import QuickFunctions
from .resume import replay

log = structlog.get_logger()


@dataclass
class Services:
    """What every run of one orchestrator shares."""

    publisher: AckedPublisher
    acks: AckConfirmer  # a run's submit is acked once its end is stored
    sink: EventSink
    names: Names
    learner: QuickFunctions
    catalog_revision: Callable[[], int]
    read_log: Callable[[str], Awaitable[list[Event]]]
    cache_enabled: bool
    segment_max_nodes: int
    cancel_grace_s: float  # how long a cancel waits for runners to end their nodes
    blobs: Blobs
    catalog: Callable[[], Mapping[str, CatalogNode]]  # for the copies maps and loops add
    stop_runners: Callable[[str], Awaitable[None]]  # a run's cancel, told to its runners


class RunExecution:
    def __init__(
        self, submit: RunSubmit, plan: Plan, msg: Msg | None, services: Services, on_finished: Callable[[str], None]
    ) -> None:
        self.submit = submit
        self.run_id = submit.run_id
        self.plan = plan
        self.msg = msg
        self._services = services
        self._on_finished = on_finished
        self.schedule = Schedule(plan)
        self.wiring = Wiring(plan)
        self.done = asyncio.Event()
        self.errors: dict[str, str] = {}
        self._finished = False
        # The output cache: on unless the run opts out or carries env_vars (outputs
        # may depend on secrets, which must not become shared entries).
        self._cache = services.cache_enabled and submit.cache and submit.env_sealed is None
        self._heavy: set[str] = set()
        self._cached: set[str] = set()  # functions worth looking up in the cache and storing
        self._segments: list[Segment] = []
        self._waiting: list[int] = []  # per segment: its inputs from outside not yet settled
        self._waiters: dict[str, list[int]] = {}  # node -> segments waiting for it
        self._unsent: list[NodeEvent] = []  # this side's events: failed dependants, cancels
        self._published: list[asyncio.Future[None]] = []
        self._heard_ended: set[str] = set()
        self._started: set[str] = set()  # nodes whose executing event came
        self._given: set[str] = set()  # nodes sent to runners in jobs: theirs to end
        self._cancelling = False
        self._cancel_deadline: asyncio.TimerHandle | None = None
        # The run's own time limit (its timeout_s): when it is reached, the run is
        # cancelled and fails saying so.
        self._time_limit: asyncio.TimerHandle | None = None
        self.timed_out = False
        self._began = time.perf_counter()
        # Maps and loops: their controllers, and those still waiting for inputs.
        self._dynamic: dict[str, Copies] = {}
        self._dynamic_waiting: dict[str, int] = {}
        self._dynamic_waiters: dict[str, list[str]] = {}
        self._resuming = False

    async def start(self, history: list[Event] | None = None, in_flight: Iterable[Job] = ()) -> None:
        """Start the run, or resume it: its log says what is settled, its queued jobs what is under way."""
        busy: set[str] = set()
        if history is not None:
            busy = {step.node_id for job in in_flight for step in job.steps}
            replayed = await self._replay(history, busy)
            if isinstance(replayed, RunEvent):
                # It ended before the crash; only the ack of its submit was lost.
                self._finished = True
                await self._close(replayed.status, dict(replayed.errors))
                return
            for node_id in replayed:
                self._unsent.append(self._event(node_id, "error", error=self.schedule.failed[node_id]))
            self._given = {step.node_id for job in in_flight for step in job.steps}
            if "cancelled" in self.schedule.failed.values():
                # It was being cancelled (or timed out) when its orchestrator died: it still is.
                self.timed_out = self._time_left() == 0.0
                await self.cancel()
                return
            log.info(
                "run.resumed",
                run_id=self.run_id,
                settled=len(self.schedule.finished) + len(self.schedule.failed),
                in_flight=len(busy),
            )
        left = self._time_left()
        if left is not None:
            loop = asyncio.get_running_loop()
            self._time_limit = loop.call_later(left, lambda: asyncio.ensure_future(self.time_out()))
        await self._plan([n for n in self.plan.order if not self.schedule.is_settled(n) and n not in busy])
        for copies in list(self._dynamic.values()):
            await copies.recount()  # copies a resumed run remade, some of them done already
        if self.schedule.done:
            await self._finish()

    async def _replay(self, history: list[Event], busy: set[str]) -> RunEvent | list[str]:
        """The log applied; maps and loops the log shows started remake their copies,
        whose events are then applied in turn, until no more appear."""
        self._resuming = True
        try:
            while True:
                replayed = replay(history, self.schedule, self.wiring)
                if isinstance(replayed, RunEvent):
                    return replayed
                seen = replayed.logged | busy
                remade = False
                for node_id in list(self.plan.order):
                    if node_id in self._dynamic or node_id not in seen:
                        continue
                    if self.plan.nodes[node_id].type not in DYNAMIC or self.schedule.is_settled(node_id):
                        continue
                    copies = self._dynamic[node_id] = controller(self, node_id)
                    await copies.resume(seen)
                    remade = True
                if not remade:
                    return replayed.unlogged_failures
        finally:
            self._resuming = False

    async def _plan(self, nodes: list[str]) -> None:
        """Cut nodes into segments (maps and loops run here, not in segments) and
        dispatch what is ready."""
        learner = self._services.learner
        functions = [(node_id, spec) for node_id in nodes if (spec := self.plan.functions.get(node_id))]
        self._heavy |= {node_id for node_id, spec in functions if not learner.is_quick(spec.name, spec.kind)}
        if self._cache:
            self._cached |= {node_id for node_id, spec in functions if learner.worth_caching(spec.name, spec.kind)}
        dynamic = {node_id for node_id in nodes if self.plan.nodes[node_id].type in DYNAMIC}
        first = len(self._segments)
        for segment in cut(self.plan, self._heavy, nodes, self._services.segment_max_nodes, alone=dynamic):
            if segment.nodes[0] not in dynamic:
                self._segments.append(segment)
        ready: list[int] = []
        for index in range(first, len(self._segments)):
            segment = self._segments[index]
            members = set(segment.nodes)
            outside = {
                pred
                for node_id in segment.nodes
                for pred in self.plan.predecessors[node_id]
                if pred not in members and not self.schedule.is_settled(pred)
            }
            for pred in outside:
                self._waiters.setdefault(pred, []).append(index)
            self._waiting.append(len(outside))
            if not outside:
                ready.append(index)
        starting: list[str] = []
        for node_id in sorted(dynamic, key=self.plan.order.index):
            if node_id in self._dynamic:
                continue  # remade on resume
            outside = {pred for pred in self.plan.predecessors[node_id] if not self.schedule.is_settled(pred)}
            for pred in outside:
                self._dynamic_waiters.setdefault(pred, []).append(node_id)
            self._dynamic_waiting[node_id] = len(outside)
            if not outside:
                starting.append(node_id)
        await self._dispatch(ready)
        for node_id in starting:
            await self._start_dynamic(node_id)

    async def _start_dynamic(self, node_id: str) -> None:
        if self._cancelling or self.schedule.is_settled(node_id):
            return
        copies = self._dynamic[node_id] = controller(self, node_id)
        await copies.start()

    # -- what maps and loops ask of the run (dynamic.Host) ---------------------------
    @property
    def stopping(self) -> bool:
        return self._cancelling or self._finished

    async def add_copy(self, nodes: list[GraphNode], edges: list[GraphEdge], preset: dict[str, msgspec.Raw]) -> None:
        new = self.plan.grow(nodes, edges, self._services.catalog())
        self.schedule.planned(new)
        for node_id, raw in preset.items():
            self.wiring.set_output(node_id, raw)
            self.schedule.complete(node_id)
        if not self._resuming:
            await self._plan([node_id for node_id in new if not self.schedule.is_settled(node_id)])

    async def fetch_value(self, raw: msgspec.Raw) -> msgspec.Raw:
        return await self._services.blobs.whole(raw)

    async def store_value(self, raw: msgspec.Raw) -> msgspec.Raw:
        return await self._services.blobs.offload(raw)

    async def say(self, event: NodeEvent) -> None:
        """Publish at once: a map's start goes out before its copies' first events."""
        self._unsent.append(event)
        await self._flush()

    async def progress(self, node_id: str, fraction: float, message: str) -> None:
        await self._flush()  # after the events that led to it
        event = ProgressEvent(run_id=self.run_id, node_id=node_id, progress=fraction, message=message)
        self._published.append(await self._services.sink.progress(event))

    async def end(self, node_id: str, output: msgspec.Raw | None, error: str | None = None) -> None:
        """A map or loop node ended: with its output, or failed with ``error``."""
        if self._finished or self.schedule.is_settled(node_id):
            return
        if error is not None or output is None:
            reason = error or "failed"
            self._unsent.append(self._event(node_id, "error", error=reason))
            await self._settled([node_id, *self._fail_dependants(node_id, reason)])
            return
        if codec.is_skipped(output):
            self.wiring.set_output(node_id, codec.SKIPPED)
            self._unsent.append(self._event(node_id, "skipped"))
        else:
            output = await self._services.blobs.offload(output)
            self.wiring.set_output(node_id, output)
            self._unsent.append(self._event(node_id, "completed", output=output))
        self.schedule.complete(node_id)
        await self._settled([node_id])

    # -- what the runners say -------------------------------------------------------
    async def on_node_events(self, events: list[NodeEvent]) -> None:
        if self._finished:
            return
        learner = self._services.learner
        settled: list[str] = []
        for event in events:
            node_id = event.node_id
            if event.status == "executing":
                self._started.add(node_id)
                continue
            if event.status == "retrying":
                metrics.node_retried(event.node_name)
                continue
            if self.schedule.is_settled(node_id):
                continue  # a late copy of an end
            self._heard_ended.add(node_id)
            spec = self.plan.functions.get(node_id)
            if spec is not None and not event.cached and event.status != "skipped":  # a failed call's time counts too
                learner.observe(spec.name, event.duration_ms)
                metrics.node_ended(spec.name, event)
            if event.status == "completed":
                self.wiring.set_output(node_id, event.output)
                self.schedule.complete(node_id)
                settled.append(node_id)
            elif event.status == "skipped":
                self.wiring.set_output(node_id, codec.SKIPPED)
                self.schedule.complete(node_id)
                settled.append(node_id)
            else:
                settled.append(node_id)
                settled += self._fail_dependants(node_id, event.error or "failed")
        await self._settled(settled)

    def _fail_dependants(self, node_id: str, message: str) -> list[str]:
        # Once stopped, a node's end (whichever of its runner's ends arrives first)
        # cancels what waits on it; it was not skipped for a failure.
        cascade = CANCELLED if self._cancelling else None
        failed = []
        for dependant, reason in self.schedule.fail(node_id, message, cascade):
            self._unsent.append(self._event(dependant, "error", error=reason))
            failed.append(dependant)
        return failed

    async def _settled(self, nodes: list[str]) -> None:
        ready: list[int] = []
        starting: list[str] = []
        for node_id in nodes:
            for index in self._waiters.pop(node_id, ()):
                self._waiting[index] -= 1
                if self._waiting[index] == 0:
                    ready.append(index)
            for dynamic in self._dynamic_waiters.pop(node_id, ()):
                self._dynamic_waiting[dynamic] -= 1
                if self._dynamic_waiting[dynamic] == 0:
                    starting.append(dynamic)
        await self._dispatch(sorted(ready))
        for node_id in starting:
            await self._start_dynamic(node_id)
        for copies in list(self._dynamic.values()):
            await copies.settled(nodes)
        if self._finished:
            return
        if self.schedule.done:
            await self._finish()  # carries this side's last events itself
        else:
            await self._flush()

    def _event(self, node_id: str, status: NodeStatus, **fields: Any) -> NodeEvent:
        return NodeEvent(node_id=node_id, node_name=self.plan.node_name(node_id), status=status, **fields)

    async def _flush(self) -> None:
        if self._unsent:
            events, self._unsent = self._unsent, []
            self._published.extend(await self._services.sink.nodes(self.run_id, events))

    # -- jobs -----------------------------------------------------------------------
    async def _dispatch(self, ready: list[int]) -> None:
        services = self._services
        for index in ready:
            segment = self._segments[index]
            # Members whose input failed meanwhile are settled already.
            members = [n for n in segment.nodes if not self.schedule.is_settled(n)]
            if not members or self._cancelling:
                continue
            self._given.update(members)
            quick = [n for n in members if n not in self._heavy]
            job = Job(
                run_id=self.run_id,
                steps=self.wiring.steps(members, quick, self._cached),
                env_sealed=self.submit.env_sealed,
                catalog_revision=services.catalog_revision(),
            )
            stored = await services.publisher.publish(
                services.names.jobs(segment.pool, self.run_id),
                messages.encode(job),
                {"Nats-Msg-Id": f"{self.run_id}:{members[0]}:job"},
            )
            stored.add_done_callback(functools.partial(self._job_not_stored, members=members))
            self._published.append(stored)

    def _job_not_stored(self, stored: asyncio.Future[None], *, members: list[str]) -> None:
        # The publisher retried through elections; a job still not stored will
        # never run, so its nodes fail now instead of the run waiting forever.
        if stored.cancelled() or stored.exception() is None or self._finished:
            return
        asyncio.ensure_future(self.abandon(members, f"the job could not be queued: {stored.exception()}"))

    async def give_up(self, node_ids: list[str], deliveries: int) -> None:
        """A job whose runner died every time it ran: its nodes fail, naming the one that was running."""
        unsettled = [n for n in node_ids if not self.schedule.is_settled(n)]
        running = [n for n in unsettled if n in self._started]
        if running or len(unsettled) == 1:
            culprit = (running or unsettled)[0]
            what = f"node '{culprit}' ({self.plan.node_name(culprit)})"
        else:
            # Its runner died before saying which node it was in (quick nodes' events go out
            # together): every node it may have been, each with its name.
            what = "the job of nodes " + ", ".join(f"'{n}' ({self.plan.node_name(n)})" for n in unsettled)
        stopped = "the runner running it stopped each time (crashed or was killed)"
        await self.abandon(unsettled, f"{what} did not finish after {deliveries} attempts: {stopped}")

    async def abandon(self, node_ids: list[str], reason: str) -> None:
        """Fail nodes whose job will never complete (never queued, or its runners kept dying)."""
        if self._finished:
            return
        failed = [node_id for node_id in node_ids if not self.schedule.is_settled(node_id)]
        settled = list(failed)
        for node_id in failed:
            self._unsent.append(self._event(node_id, "error", error=reason))
        for dependant, why in self.schedule.fail_all(failed, reason):
            self._unsent.append(self._event(dependant, "error", error=why))
            settled.append(dependant)
        await self._settled(settled)

    async def cancel(self) -> None:
        """End the run as cancelled. Nodes given to a runner are that runner's to end (it
        stops at the next report, or once its call returns); the rest end here now."""
        if self._finished or self._cancelling:
            return
        self._cancelling = True
        mine = [n for n in self.plan.order if not self.schedule.is_settled(n) and n not in self._given]
        for node_id in mine:
            self._unsent.append(self._event(node_id, "error", error="cancelled"))
            self.schedule.failed[node_id] = "cancelled"
        if self.schedule.done:
            await self._finish()
            return
        await self._flush()
        # A runner whose call never returns must not hold the run open for ever.
        loop = asyncio.get_running_loop()
        self._cancel_deadline = loop.call_later(
            self._services.cancel_grace_s, lambda: asyncio.ensure_future(self._cancel_the_rest())
        )

    def _time_left(self) -> float | None:
        """Seconds until the run's timeout (measured from its submit, so a resumed run keeps it)."""
        limit = self.submit.timeout_s
        if not limit:
            return None
        return max(0.0, self.submit.submitted_at + limit - time.time())

    async def time_out(self) -> None:
        """The run reached its timeout_s: cancelled, here and on its runners, and failed for it."""
        if self._finished or self._cancelling:
            return
        log.info("run.timed_out", run_id=self.run_id, timeout_s=self.submit.timeout_s)
        self.timed_out = True
        await self._services.stop_runners(self.run_id)
        await self.cancel()

    async def _cancel_the_rest(self) -> None:
        rest = [n for n in self.plan.order if not self.schedule.is_settled(n)]
        if self._finished or not rest:
            return
        log.warning("run.cancel_unanswered", run_id=self.run_id, nodes=len(rest))
        ends = [self._event(node_id, "error", error="cancelled") for node_id in rest]
        for node_id in rest:
            self.schedule.failed[node_id] = "cancelled"
        # Each in a message with the node's own id, as a runner cancelling sends them.
        self._published.extend(await self._services.sink.ends_each(self.run_id, ends))
        await self._finish()

    # -- the end ----------------------------------------------------------------------
    async def _finish(self, cancelled: bool = False) -> None:
        if self._finished:
            return
        self._finished = True
        cancelled = cancelled or self._cancelling
        for timer in (self._cancel_deadline, self._time_limit):
            if timer is not None:
                timer.cancel()
        services = self._services
        if services.publisher.troubled_within(TROUBLE_WINDOW_S):
            await wait_until_stored(self.run_id, self._published, self._heard_ended, services.read_log)
        await self._flush()
        errors = self._errors()
        final = RunEvent(
            run_id=self.run_id,
            status="error" if cancelled else "done",
            error=(run_timed_out(self.submit.timeout_s) if self.timed_out else CANCELLED) if cancelled else None,
            results={} if cancelled else self.wiring.view_results(),
            errors=errors,
            started_at=self.submit.submitted_at,
            finished_at=time.time(),
            workflow=self.submit.workflow,
            node_count=len(self.plan.nodes),
            graph=await run_graph(self.submit, services.blobs),
        )
        self._published.append(await services.sink.run(final))
        try:
            await confirm(self._published)
        except PublishError as exc:
            # Retried through elections and still not stored (a job whose nodes were
            # failed for it, or an event): said here, the run ends all the same.
            log.warning("run.unconfirmed", run_id=self.run_id, error=str(exc))
        finally:
            await self._close(final.status, errors)

    def _errors(self) -> dict[str, str]:
        """The run's failed nodes, less those inside items of maps told to go on past them
        (the map's list has null there and its progress counts them)."""
        tolerant = tuple(
            f"{node_id}/"
            for node_id, node in self.plan.nodes.items()
            if node.type == MAP and node.data.get("continueOnError") and node_id in self.schedule.finished
        )
        return {node_id: error for node_id, error in self.schedule.failed.items() if not node_id.startswith(tolerant)}

    async def _close(self, status: str, errors: dict[str, str]) -> None:
        """The run's end is stored: its submit leaves the queue, its slot is free."""
        self.errors = errors
        try:
            if self.msg is not None:
                await self._services.acks.ack(self.msg)
        finally:
            self._on_finished(self.run_id)
            self.done.set()
        log.info(
            "run.finished",
            run_id=self.run_id,
            status=status,
            nodes=len(self.plan.nodes),
            jobs=len(self._segments),
            failed=len(errors),
            duration_ms=round((time.perf_counter() - self._began) * 1000, 2),
        )

    async def keep_alive(self) -> None:
        if self.msg is not None and not self._finished:
            await self.msg.in_progress()


def run_timed_out(timeout_s: float | None) -> str:
    return f"the run timed out after {timeout_s or 0:g} s (its timeout_s); nodes not finished were cancelled"


async def run_graph(submit: RunSubmit, blobs: Blobs) -> msgspec.Raw:
    """The graph that ran, for the run's record: the whole graph as the client sent it,
    with a partial run's targets beside it (the editor reopens the graph it was drawn in).

    The final event is the run's record (GET /runs/{id} reads it, history lists it),
    so the graph lives there too and lasts as long as the run's events, with no
    store of its own to expire separately. It fits: the submit that carried it was
    one message. A large one goes to the object store as a reference, as a large
    value does, so results and graph together stay well within a message.
    """
    return await blobs.offload(messages.encode_graph(submit.nodes, submit.edges, submit.targets))
