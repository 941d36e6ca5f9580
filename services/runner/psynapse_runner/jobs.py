"""Executing one job (a segment) on this runner: ``psynapse_common.execute`` driven on the event loop.

The segment's walk is the common one; this module answers what it asks for. A
quick function is called right here on the event loop (a thread hand-off would
cost more than the call); a node whose call is awaited (async def, an async
generator) is awaited here too, as a task a cancel ends, at most
``runner_async_concurrency`` at once; any other call runs on a node thread
(``threads``), with the job's env_vars applied so that no other node in the process
sees them (an awaited node of a job with env_vars, or while another job's are
applied, runs on a thread too, on an event loop of its own), while its progress and
streamed text are published as they come. Cache lookups go to the
cache bucket; node events are published pipelined, and the job is acked once the
stream has stored them all, so a runner that dies first leaves the job to another.

An awaited call with a timeout is awaited under it: past its time its task is
cancelled at the await it is in, and no thread is left behind. Any other call with a
timeout is never made on the event loop. Past its time, the node fails at once
("timed out after N s"): a progress or stream node stops at its next report; a call
that reports nothing is abandoned, its result discarded, and its
thread written off as stuck if it still runs ``stuck_grace_s`` later (its slot goes
to a new thread). A runner with more stuck threads than ``max_stuck_threads``
drains and exits to be restarted: nothing else frees them.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog
from nats.aio.msg import Msg

from psynapse_common.acks import AckConfirmer
from psynapse_common.blobs import Blobs
from psynapse_common.cache import NodeCache
from psynapse_common.events import EventSink, confirm
from psynapse_common.execute import FLUSH, Call, Fetch, Lookup, Outcome, SegmentRun, Wait
from psynapse_common.graph import FUNCTION
from psynapse_common.invoke import CancelFlag, NodeTimedOut, timeout_message
from psynapse_common.messages import UNDER_WAY, Job, NodeEvent, ProgressEvent, StreamEvent, job_decoder
from psynapse_common.sealing import SealError, unseal

from . import metrics
from .cancels import CancelBoard
from .envlock import EnvBlocked, EnvLock, Hold
from .nodecode import CodeCatalog
from .threads import NodeThreads, Slot

log = structlog.get_logger()

_parts_decoder = msgspec.msgpack.Decoder(dict[str, msgspec.Raw])
Reporter = Callable[[float, str], None]
Streamer = Callable[[str], None]


@dataclass
class StuckLimits:
    """How long an abandoned call may go on before its thread counts as stuck, how many
    stuck threads a runner keeps serving with, and what it does beyond that."""

    grace_s: float
    most: int
    restart: Callable[[str], None]


class JobRunner:
    def __init__(
        self,
        sink: EventSink,
        code: CodeCatalog,
        threads_slots: int,
        cancels: CancelBoard,
        secret_key: str | None,
        ack_wait: float,
        acks: AckConfirmer,
        blobs: Blobs,
        cache: NodeCache | None,
        stuck: StuckLimits,
        pool_name: str = "default",
        async_slots: int = 256,
    ) -> None:
        self._sink = sink
        self._code = code
        self.threads = NodeThreads(threads_slots, self._stuck_changed)
        self._cancels = cancels
        self._secret_key = secret_key
        self._ack_wait = ack_wait
        self._acks = acks
        self._env_lock = EnvLock()
        self._blobs = blobs
        self._cache = cache
        self._limits = stuck
        self._pool_name = pool_name
        self._jobs = metrics.JOBS.labels(pool_name)
        self._in_flight = metrics.JOBS_IN_FLIGHT.labels(pool_name)
        self._async_slots = asyncio.Semaphore(async_slots)
        # Gives a job's puller slot back (Puller.release): set once the puller exists.
        self.release_slot: Callable[[Msg], None] = lambda msg: None
        self.on_stuck: Callable[[int], None] = lambda count: None  # for the runner's beat
        metrics.STUCK_THREADS.labels(pool_name).set(0)

    def _stuck_changed(self, count: int) -> None:
        metrics.STUCK_THREADS.labels(self._pool_name).set(count)
        self.on_stuck(count)
        if count > self._limits.most:
            self._limits.restart(
                f"{count} stuck threads, more than PSYNAPSE_RUNNER_MAX_STUCK_THREADS ({self._limits.most})"
            )

    def abandon(self, slot: Slot, hold: list[Hold], function: str) -> None:
        """A call past its timeout: its thread is written off if it still runs after the grace period."""
        metrics.call_abandoned(function)

        def written_off() -> None:
            log.warning("runner.stuck_thread", function=function, stuck=self.threads.stuck)
            if hold:
                self._env_lock.write_off(hold[0])

        self.threads.abandon(slot, self._limits.grace_s, written_off)

    async def handle(self, msg: Msg) -> None:
        try:
            job = job_decoder.decode(msg.data)
        except msgspec.DecodeError as exc:
            log.error("runner.bad_job", error=str(exc))
            await msg.term()
            return
        if job.env_sealed and self._env_lock.stuck:
            # A stuck thread here could read its env_vars: another runner takes it, and
            # this one restarts to be rid of the thread.
            await msg.nak(delay=1.0)
            self._limits.restart("a stuck thread keeps jobs with env_vars from running here")
            return
        flag = self._cancels.acquire(job.run_id)
        self._in_flight.inc()
        try:
            await self._code.ensure(job.catalog_revision)
            await _Segment(self, job, msg, flag).execute()
        finally:
            self._cancels.release(job.run_id)
            self._in_flight.dec()
            self._jobs.inc()
        # Acked only once its events are stored: a crash before this replays the job.
        await self._acks.ack(msg)


class _Segment:
    """One job's walk, answered: lookups, blobs, calls and the publishing of its events."""

    def __init__(self, runner: JobRunner, job: Job, msg: Msg, cancelled: CancelFlag) -> None:
        self._runner = runner
        self._job = job
        self._msg = msg
        self._cancelled = cancelled
        self._env: dict[str, str] | None = None
        broken: Exception | None = None
        if job.env_sealed:
            try:
                self._env = unseal(job.env_sealed, runner._secret_key)
            except SealError as exc:
                broken = exc
        secrets = [value for value in (self._env or {}).values() if len(value) >= 4]
        self._run = SegmentRun(
            job,
            runner._code.get,
            attempt=msg.metadata.num_delivered if msg.reply else 1,
            use_cache=runner._cache is not None,
            scrub=lambda message: _scrub(message, secrets),
            broken=broken,
        )
        self._acks: list[asyncio.Future[None]] = []
        self._beat: asyncio.Task[None] | None = None
        self._multi = {
            step.node_id for step in job.steps if (spec := runner._code.get(step.node_name)) and spec.output_keys
        }
        # Every call of this job is awaited: while it awaits one it needs no thread slot.
        functions = [runner._code.get(step.node_name) for step in job.steps if step.node_type == FUNCTION]
        self._only_awaited = bool(functions) and all(spec is not None and spec.awaited for spec in functions)

    async def execute(self) -> None:
        runner = self._runner
        try:
            self._run.blobs.update(
                await runner._blobs.fetch(
                    [raw for step in self._job.steps for raw in step.inputs.values()], with_files=True
                )
            )
            walk = self._run.drive()
            answer: Any = None
            while True:
                if self._cancelled.is_set():
                    await self._cancel_rest()
                    break
                try:
                    need = walk.send(answer)
                except StopIteration:
                    break
                answer = None
                if need is FLUSH:
                    await self._publish(self._run.take_events())
                elif isinstance(need, Call):
                    answer = await self._call(need)
                elif isinstance(need, Lookup):
                    assert runner._cache is not None
                    answer = await runner._cache.get_many(need.keys)
                elif isinstance(need, Fetch):
                    answer = await runner._blobs.fetch(list(need.values))
                elif isinstance(need, Wait):
                    self._keep_alive_from_now()
                    await runner._cancels.pause(self._job.run_id, need.seconds)
            await confirm(self._acks)
            await self._store()
        finally:
            if self._beat is not None:
                self._beat.cancel()

    async def _cancel_rest(self) -> None:
        """This job's nodes end here: the ends already made, then "cancelled" for the rest,
        each in a message with the node's own id (the orchestrator may end a node whose
        runner is too slow to answer a cancel: the stream keeps one of the two)."""
        ends = [event for event in self._run.take_events() if event.status not in UNDER_WAY]
        ends += self._run.cancel_rest()
        if ends:
            if self._acks:
                await confirm(self._acks)
            ends = [await self._offload(event) for event in ends]
            self._acks.extend(await self._runner._sink.ends_each(self._job.run_id, ends))

    # -- calls -------------------------------------------------------------------------
    async def _call(self, call: Call) -> Outcome:
        runner = self._runner
        name = call.step.node_name
        if call.spec.awaited and self._env is None:
            # Its timeout cancels its task; any other call with a timeout runs on a
            # thread, where it can be left behind.
            outcome = await self._awaited(call)
        elif call.step.quick and call.timeout_s is None and self._env is None and runner._env_lock.try_shared():
            try:
                outcome = self._run.invoke(call, _no_progress, _no_chunk, self._cancelled)
            finally:
                runner._env_lock.release_shared()
        else:
            outcome = await self._threaded(call)
        metrics.node_called(name, outcome.duration_ms / 1000, failed=outcome.error is not None)
        if outcome.error is not None:
            log.info("node.failed", run_id=self._job.run_id, node_id=call.step.node_id, error=outcome.error)
        return outcome

    async def _awaited(self, call: Call) -> Outcome:
        runner = self._runner
        async with runner._async_slots:
            if not runner._env_lock.try_shared():
                # Another job's env_vars are applied: wait for them on a thread, not here.
                return await self._threaded(call)
            try:
                if self._only_awaited:
                    runner.release_slot(self._msg)
                return await self._reporting(
                    call,
                    lambda on_progress, on_chunk: self._run.invoke_async(call, on_progress, on_chunk, self._cancelled),
                )
            finally:
                runner._env_lock.release_shared()

    async def _threaded(self, call: Call) -> Outcome:
        loop = asyncio.get_running_loop()
        env_lock = self._runner._env_lock

        async def on_thread(on_progress: Reporter, on_chunk: Streamer) -> Outcome:
            started = asyncio.Event()
            hold: list[Hold] = []

            def work() -> Outcome:
                try:
                    hold.append(env_lock.acquire(self._env))
                except EnvBlocked as exc:
                    loop.call_soon_threadsafe(
                        self._runner._limits.restart, "a stuck thread keeps env_vars from applying"
                    )
                    return Outcome(error=str(exc))
                try:
                    loop.call_soon_threadsafe(started.set)
                    return self._run.invoke(call, on_progress, on_chunk, self._cancelled)
                finally:
                    env_lock.release(hold[0])

            slot = await self._runner.threads.start(functools.partial(contextvars.copy_context().run, work))
            if call.timeout_s is None:
                outcome: Outcome = await asyncio.wrap_future(slot.future)
                return outcome
            return await self._within(call, call.timeout_s, slot, started, hold)

        return await self._reporting(call, on_thread)

    async def _reporting(self, call: Call, run: Callable[[Reporter, Streamer], Awaitable[Outcome]]) -> Outcome:
        """``run`` the call with reporters that publish its progress and chunks as they come
        (from any thread), keeping the job alive meanwhile."""
        self._keep_alive_from_now()
        loop = asyncio.get_running_loop()
        run_id, node_id = self._job.run_id, call.step.node_id
        reports: asyncio.Queue[ProgressEvent | StreamEvent | None] = asyncio.Queue()
        # One publisher for the node's reports keeps them in the order they were made.
        publishing = asyncio.create_task(self._publish_reports(reports))

        def on_progress(percent: float, message: str) -> None:
            event = ProgressEvent(run_id=run_id, node_id=node_id, progress=percent, message=message)
            loop.call_soon_threadsafe(reports.put_nowait, event)

        def on_chunk(text: str) -> None:
            loop.call_soon_threadsafe(reports.put_nowait, StreamEvent(run_id=run_id, node_id=node_id, chunk=text))

        try:
            return await run(on_progress, on_chunk)
        finally:
            # Behind the reports already scheduled (a coroutine's last chunk may be one).
            loop.call_soon(reports.put_nowait, None)
            await publishing

    async def _within(
        self, call: Call, timeout_s: float, slot: Slot, started: asyncio.Event, hold: list[Hold]
    ) -> Outcome:
        """The call's outcome, or a timeout once it has run ``timeout_s`` (from when the
        node's code started, not while it waited for a thread or the environment)."""
        done = asyncio.wrap_future(slot.future)
        starting = asyncio.ensure_future(started.wait())
        try:
            await asyncio.wait({done, starting}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            starting.cancel()
        if not done.done():
            try:
                async with asyncio.timeout(timeout_s):
                    await asyncio.shield(done)
            except TimeoutError:
                # The node fails now; its thread is left to end (at its next report, for a
                # progress or stream node) or to be written off.
                self._runner.abandon(slot, hold, call.step.node_name)
                return Outcome(
                    error=timeout_message(timeout_s),
                    duration_ms=round(timeout_s * 1000, 3),
                    exception=NodeTimedOut(timeout_s),
                    timed_out=True,
                )
        outcome: Outcome = done.result()
        return outcome

    async def _publish_reports(self, reports: asyncio.Queue[ProgressEvent | StreamEvent | None]) -> None:
        sink = self._runner._sink
        while (event := await reports.get()) is not None:
            if isinstance(event, ProgressEvent):
                self._acks.append(await sink.progress(event))
            else:
                self._acks.append(await sink.stream(event))

    def _keep_alive_from_now(self) -> None:
        """A slow call or a pause: the job is marked in progress while it lasts."""
        if self._beat is None:
            self._beat = asyncio.create_task(self._keep_alive())

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._runner._ack_wait / 3)
            await self._msg.in_progress()

    # -- events and cache entries --------------------------------------------------------
    async def _publish(self, events: list[NodeEvent]) -> None:
        if not events:
            return
        if any(event.status not in UNDER_WAY for event in events) and self._acks:
            # A node's end goes out once its earlier events are stored: the
            # orchestrator acts on the end, and a log must never hold an end
            # without the progress before it (a resend after an election).
            await confirm(self._acks)
        events = [await self._offload(event) for event in events]
        self._acks.extend(await self._runner._sink.nodes(self._job.run_id, events))

    async def _offload(self, event: NodeEvent) -> NodeEvent:
        """Large values go to the object store, by reference in the event."""
        blobs = self._runner._blobs
        if any(len(raw) > blobs.inline_limit for raw in event.inputs.values()):
            inputs = {name: await blobs.offload(raw) for name, raw in event.inputs.items()}
            event = msgspec.structs.replace(event, inputs=inputs)
        output = await self._offload_output(event.node_id, event.output)
        return event if output is event.output else msgspec.structs.replace(event, output=output)

    async def _offload_output(self, node_id: str | None, output: msgspec.Raw) -> msgspec.Raw:
        """A multi-output node's keys each on their own, so a consumer of one key gets only it."""
        blobs = self._runner._blobs
        if len(output) <= blobs.inline_limit:
            return output
        if node_id in self._multi:
            parts = _parts_decoder.decode(output)
            return msgspec.Raw(msgspec.msgpack.encode({key: await blobs.offload(raw) for key, raw in parts.items()}))
        return await blobs.offload(output)

    async def _store(self) -> None:
        cache = self._runner._cache
        if cache is None:
            return
        for key, value, node_id in self._run.stores:
            await cache.put(key, await self._offload_output(node_id, value))


def _no_progress(percent: float, message: str) -> None:
    """A quick plain function reports nothing."""


def _no_chunk(text: str) -> None:
    """A quick plain function streams nothing."""


def _scrub(message: str, secrets: list[str]) -> str:
    # A node that fails with its API key in the message must not publish the key.
    for secret in secrets:
        message = message.replace(secret, "[secret]")
    return message
