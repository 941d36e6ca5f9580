"""One run, driven to its end: built-ins inline, function chains as jobs, one final event.

A small run whose functions all proved quick is handed to one runner whole (see
``handover``); this side keeps its submit, its cancel and its given-up job.

With the output cache on (see ``psynapse_common.cache``), ready cacheable function
nodes are looked up first, together and off the event callback: hits complete at
once (a ``completed`` event with ``cached``) and their successors go on; misses are
dispatched as usual. A node's output is stored when its runner reports it completed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import msgspec
import structlog
from nats.aio.msg import Msg

from psynapse_common import messages
from psynapse_common.cache import NodeCache
from psynapse_common.events import EventSink, confirm
from psynapse_common.graph import FUNCTION, Plan, Schedule
from psynapse_common.handover import can_hand_over, whole_job, whole_job_id
from psynapse_common.invoke import describe_error
from psynapse_common.local import node_event
from psynapse_common.messages import Event, Job, NodeEvent, RunEvent, RunOutcome, RunSubmit
from psynapse_common.publisher import AckedPublisher, PublishError
from psynapse_common.quick import QuickFunctions
from psynapse_common.subjects import Names
from psynapse_common.wiring import Wiring

from .barrier import TROUBLE_WINDOW_S, wait_until_stored
from .cached import RunCache
from .resume import replay

log = structlog.get_logger()


class RunExecution:
    def __init__(
        self,
        submit: RunSubmit,
        plan: Plan,
        msg: Msg | None,
        publisher: AckedPublisher,
        sink: EventSink,
        names: Names,
        catalog_revision: int,
        on_finished: Callable[[str], None],
        quick: QuickFunctions,
        cache: NodeCache | None = None,
        read_log: Callable[[str], Awaitable[list[Event]]] | None = None,
        whole_run_max_nodes: int = 0,
        read_final: Callable[[str], Awaitable[RunEvent | None]] | None = None,
        listen_final: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.submit = submit
        self.run_id = submit.run_id
        self.plan = plan
        self.msg = msg
        self._publisher = publisher
        self._names = names
        self._sink = sink
        self._catalog_revision = catalog_revision
        self._on_finished = on_finished
        self._quick = quick
        self._read_log = read_log
        self._read_final = read_final
        self._listen_final = listen_final
        self._whole_run_max_nodes = whole_run_max_nodes
        self._heard_ended: set[str] = set()  # nodes whose runner said they ended
        self.schedule = Schedule(plan)
        self.wiring = Wiring(plan)
        self._published: list[asyncio.Future] = []
        self._finished = False
        self._handed_over = False  # the whole run is one runner's job
        self.errors: dict[str, str] = {}  # failed nodes, once the run ended
        self.done = asyncio.Event()
        self._announced: set[str] = set()  # nodes whose executing event exists
        self._unsent: list[NodeEvent] = []  # built-in events, sent as one batch
        self._batching = False
        self._started = time.perf_counter()
        # The output cache, None when off for this run (see the orchestrator).
        self._cache = RunCache(cache, plan, self.wiring, self.run_id) if cache is not None else None

    async def start(self, history: list[Event] | None = None) -> None:
        """Start the run, or resume it from its event log after an orchestrator died (see ``resume``)."""
        resumed = history is not None
        if not history and can_hand_over(
            self.plan, self.submit, self._cache is not None, self._whole_run_max_nodes, self._is_quick, resumed
        ):
            await self._hand_over()
            return
        if not history:
            await self._advance(self.schedule.initial())
            return
        replayed = replay(history, self.schedule, self.wiring)
        if isinstance(replayed, RunEvent):
            # It ended before the crash; only the ack of its submit was lost.
            self._finished = True
            await self._close(replayed.status, dict(replayed.errors))
            return
        self._announced |= replayed.announced
        log.info("run.resumed", run_id=self.run_id, done=len(self.schedule.finished), ready=len(replayed.ready))
        await self._advance(replayed.ready)

    def handed_over(self) -> None:
        """Its functions are one runner's job: none of them is dispatched from here."""
        self._handed_over = True
        for node_id in self.plan.functions:
            self.schedule.mark_dispatched(node_id)

    async def _hand_over(self) -> None:
        self.handed_over()
        if self._listen_final is not None:
            await self._listen_final(self.run_id)  # before the job exists, so its end cannot be missed
        pool, job = whole_job(self.submit, self.plan, self._catalog_revision)
        stored = await self._publisher.publish(
            self._names.jobs(pool), messages.encode(job), {"Nats-Msg-Id": whole_job_id(self.run_id)}
        )
        stored.add_done_callback(lambda done: self._job_not_stored(done, list(self.plan.order)))
        self._published.append(stored)

    async def on_final(self, final: RunEvent | RunOutcome) -> None:
        """The final event of a run handed over whole: its runner ended it."""
        if self._finished or not self._handed_over:
            return
        self._finished = True
        for event in final.nodes:
            self._quick.observe(event.node_name, event.duration_ms)
        await self._close(final.status, dict(final.errors))

    async def _advance(self, ready: list[str], hold: bool = False) -> None:
        """Run what became ready: built-ins now, functions looked up or dispatched.

        ``hold``: a lookup's hits go on; their events wait for the next lookup's
        (one message for a cascade of hits), unless nothing is left to look up.
        """
        queue = list(ready)
        functions: list[str] = []
        while queue:
            node_id = queue.pop(0)
            if self.schedule.is_settled(node_id):
                continue
            if self.plan.nodes[node_id].type == FUNCTION:
                # A node that became ready inside a job it belongs to is already running.
                if node_id in self.schedule.dispatched or self._being_looked_up(node_id):
                    continue
                hit = self._cache.take_prefetched(node_id) if self._cache is not None else None
                if hit is not None:
                    queue.extend(await self._complete_hit(node_id, *hit))
                else:
                    functions.append(node_id)
                continue
            queue.extend(await self._run_builtin(node_id))
        if functions and self._cache is not None:
            functions = self._cache.defer(functions)
        if functions:
            await self._dispatch_ready(functions)
        if self.schedule.done:
            await self._finish()  # carries the last events itself
        elif not self._batching:
            looking_on = self._start_lookups()
            if not (hold and looking_on):
                await self._flush()

    async def _flush(self) -> None:
        if self._unsent:
            events, self._unsent = self._unsent, []
            self._published.extend(await self._sink.nodes(self.run_id, events))

    async def _run_builtin(self, node_id: str) -> list[str]:
        name = self.plan.node_name(node_id)
        try:
            inputs, output = self.wiring.builtin(node_id)
        except Exception as exc:  # noqa: BLE001 - bad variable data fails that node only
            await self._node_event(node_id, "error", {}, error=f"{name}: {describe_error(exc)}", instant=True)
            return await self._fail(node_id, describe_error(exc))
        await self._node_event(node_id, "completed", inputs, output=output, instant=True)
        self.wiring.set_output(node_id, output)
        return self.schedule.complete(node_id)

    # -- the output cache ---------------------------------------------------------
    def _being_looked_up(self, node_id: str) -> bool:
        return self._cache is not None and node_id in self._cache.looking

    def _start_lookups(self) -> bool:
        """Look up the nodes waiting for it, in a task; False when none were waiting."""
        if self._cache is None or self._finished:
            return False
        nodes = self._cache.take_pending()
        if nodes:
            self._cache.spawn(self._look_up(nodes), self._lookup_failed)
        return bool(nodes)

    def _lookup_failed(self, error: str) -> None:
        unsettled = [n for n in self.plan.order if not self.schedule.is_settled(n)]
        asyncio.ensure_future(self.abandon(unsettled, f"the run could not go on: {error}"))

    async def _look_up(self, nodes: list[str]) -> None:
        assert self._cache is not None
        hits, misses = await self._cache.look_up(nodes)
        if self._finished:
            return
        ready: list[str] = []
        for node_id, inputs, output in hits:
            if not self.schedule.is_settled(node_id):  # else abandoned while we looked
                ready.extend(await self._complete_hit(node_id, inputs, output))
        misses = [node_id for node_id in misses if not self.schedule.is_settled(node_id)]
        if misses:
            await self._dispatch_ready(misses)
        if hits:
            await self._cache.prefetch([node_id for node_id, _, _ in hits], self.schedule.is_settled)
            if self._finished:
                return
        await self._advance(ready, hold=True)

    async def _complete_hit(self, node_id: str, inputs: dict[str, msgspec.Raw], output: msgspec.Raw) -> list[str]:
        await self._node_event(node_id, "completed", inputs, output=output, instant=True, cached=True)
        self.wiring.set_output(node_id, output)
        return self.schedule.complete(node_id)

    async def _dispatch_ready(self, ready: list[str]) -> None:
        # Events of nodes before these must be in the stream before their jobs are.
        await self._flush()
        quick_by_pool: dict[str, list[str]] = {}
        for node_id in ready:
            if self._is_quick(node_id):
                quick_by_pool.setdefault(self.plan.functions[node_id].pool, []).append(node_id)
            else:
                await self._dispatch(self.schedule.chain_from(node_id))
        for group in quick_by_pool.values():
            await self._dispatch(self.schedule.group_from(group, self._is_quick))

    def _is_quick(self, node_id: str) -> bool:
        spec = self.plan.functions[node_id]
        return self._quick.is_quick(spec.name, spec.kind)

    async def _dispatch(self, members: list[str]) -> None:
        for member in members:
            self.schedule.mark_dispatched(member)
        job = Job(
            run_id=self.run_id,
            steps=self.wiring.job_steps(members),
            env_sealed=self.submit.env_sealed,
            catalog_revision=self._catalog_revision,
        )
        first = members[0]
        stored = await self._publisher.publish(
            self._names.jobs(self.plan.functions[first].pool),
            messages.encode(job),
            {"Nats-Msg-Id": f"{self.run_id}:{first}:job"},
        )
        stored.add_done_callback(lambda done: self._job_not_stored(done, members))
        self._published.append(stored)

    def _job_not_stored(self, stored: asyncio.Future, members: list[str]) -> None:
        # The publisher retried through elections; a job still not stored will
        # never run, so its nodes fail now instead of the run waiting forever.
        if stored.cancelled() or stored.exception() is None or self._finished:
            return
        reason = f"the job could not be queued: {stored.exception()}"
        asyncio.ensure_future(self.abandon(members, reason))

    async def _node_event(
        self,
        node_id: str,
        status: str,
        inputs: dict[str, msgspec.Raw],
        output: msgspec.Raw | None = None,
        error: str | None = None,
        instant: bool = False,
        cached: bool = False,
    ) -> None:
        if status == "executing" or instant:
            self._announced.add(node_id)
        self._unsent.append(
            node_event(
                self.plan, self.run_id, node_id, status, inputs, output, error,
                instant=instant, cached=cached, duration_ms=0.0 if cached else None,
            )
        )

    async def _fail(self, node_id: str, message: str) -> list[str]:
        for dependant, reason in self.schedule.fail(node_id, message):
            await self._node_event(dependant, "error", {}, error=reason, instant=True)
        return []

    async def on_node_events(self, events: list[NodeEvent] | tuple[NodeEvent, ...]) -> None:
        """A runner's message of events: the built-in nodes they complete go out as one message."""
        self._batching = True
        try:
            for event in events:
                await self.on_node_event(event)
        finally:
            self._batching = False
        if not self._finished:
            await self._flush()
            self._start_lookups()
        if self._cache is not None:
            self._cache.flush_stores()

    async def on_node_event(self, event: NodeEvent) -> None:
        if self._finished:
            return
        if event.status == "executing" or event.instant:
            self._announced.add(event.node_id)
        if event.status == "executing":
            return
        if self.schedule.is_settled(event.node_id):
            return
        self._heard_ended.add(event.node_id)
        if not event.cached:  # a failed call's time counts too; a cache hit's does not
            self._quick.observe(event.node_name, event.duration_ms)
        if event.status == "completed":
            if not event.cached and self._cache is not None:
                self._cache.store(event)
            self.wiring.set_output(event.node_id, event.output)
            await self._advance(self.schedule.complete(event.node_id))
        else:
            await self._fail(event.node_id, event.error or "failed")
            # The rest of this node's chain will not run either: fail them too.
            await self._advance([])

    async def cancel(self) -> None:
        if self._finished:
            return
        unsettled = [n for n in self.plan.order if not self.schedule.is_settled(n)]
        for node_id in unsettled:
            await self._node_event(
                node_id, "error", {}, error="cancelled", instant=node_id not in self._announced
            )
        for node_id in unsettled:
            self.schedule.fail(node_id, "cancelled")
        await self._finish(cancelled=True)

    async def _finish(self, cancelled: bool = False) -> None:
        if self._finished:
            return
        self._finished = True
        if self._publisher.troubled_within(TROUBLE_WINDOW_S):
            await wait_until_stored(self.run_id, self._published, self._heard_ended, self._read_log)
        errors = dict(self.schedule.failed)
        results = self.wiring.view_results()
        last_nodes, self._unsent = self._unsent, []
        final = RunEvent(
            run_id=self.run_id,
            status="error" if cancelled else "done",
            error="cancelled" if cancelled else None,
            results={} if cancelled else results,
            errors=errors,
            nodes=last_nodes,
            started_at=self.submit.submitted_at,
            finished_at=time.time(),
            workflow=self.submit.workflow,
            node_count=len(self.plan.nodes),
        )
        self._published.append(await self._sink.run(final))
        try:
            await confirm(self._published)
        except PublishError as exc:
            # Retried through elections and still not stored (a job whose nodes were
            # failed for it, or an event): said here, the run ends all the same.
            log.warning("run.unconfirmed", run_id=self.run_id, error=str(exc))
        finally:
            await self._close(final.status, errors)

    async def _close(self, status: str, errors: dict[str, str]) -> None:
        """The run's end is stored: its submit leaves the queue, its slot is free."""
        self.errors = errors
        try:
            if self.msg is not None:
                await self.msg.ack()
        finally:
            self._on_finished(self.run_id)
            self.done.set()
        log.info(
            "run.finished",
            run_id=self.run_id,
            status=status,
            nodes=len(self.plan.nodes),
            failed=len(errors),
            whole=self._handed_over,
            duration_ms=round((time.perf_counter() - self._started) * 1000, 2),
        )

    async def abandon(self, node_ids: list[str], reason: str) -> None:
        """Fail nodes whose job will never complete (their runners kept dying)."""
        for node_id in node_ids:
            if self._finished or self.schedule.is_settled(node_id):
                continue
            await self._node_event(node_id, "error", {}, error=reason, instant=node_id not in self._announced)
            await self._fail(node_id, reason)
        await self._advance([])

    async def keep_alive(self) -> None:
        if self.msg is None or self._finished:
            return
        if self._handed_over and self._read_final is not None:
            # The final event reaches us as a plain message; a reconnect can drop
            # that, never the stored event. One direct read: every held run is
            # checked on every tick, and a queued one has no event yet.
            final = await self._read_final(self.run_id)
            if final is not None:
                await self.on_final(final)
                return
        await self.msg.in_progress()
