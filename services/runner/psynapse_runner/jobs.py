"""Executing one job: function nodes in dependency order, each with its events.

The whole job (a chain, or a group of quick nodes) runs in one worker thread, one
step after another, so cheap nodes cost one thread hand-off instead of one each. The thread
hands events to the event loop in order; one publisher per job sends them,
pipelined, and the job is acked once the stream has stored them all.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import msgspec
import structlog
from nats.aio.msg import Msg

from psynapse_common import codec
from psynapse_common.blobs import Blobs
from psynapse_common.events import EventSink
from psynapse_common.graph import build_plan
from psynapse_common.invoke import call_node, describe_error, prepare_kwargs
from psynapse_common.local import LocalRun
from psynapse_common.messages import NIL, Job, JobStep, NodeEvent, ProgressEvent, StreamEvent, job_decoder
from psynapse_common.sealing import SealError, unseal

from . import metrics
from .cancels import CancelBoard
from .code import CodeCatalog
from .envlock import EnvLock
from .placement import Placement

log = structlog.get_logger()

_parts_decoder = msgspec.msgpack.Decoder(dict[str, msgspec.Raw])
_END = object()
# Values above this go to the object store when a whole run's final event would
# not fit in one message otherwise.
_SMALL_VALUE = 1024


class JobRunner:
    def __init__(
        self,
        sink: EventSink,
        code: CodeCatalog,
        pool: ThreadPoolExecutor,
        cancels: CancelBoard,
        secret_key: str | None,
        ack_wait: float,
        blobs: Blobs,
        inline_threshold_ms: float = 1.0,
        pool_name: str = "default",
        max_message_bytes: int = 1024 * 1024,
    ) -> None:
        self._sink = sink
        self._code = code
        self._pool = pool
        self._cancels = cancels
        self._secret_key = secret_key
        self._ack_wait = ack_wait
        self._env_lock = EnvLock()
        self._blobs = blobs
        self._max_message_bytes = max_message_bytes
        self.placement = Placement(inline_threshold_ms)
        self._jobs = metrics.JOBS.labels(pool_name)
        self._in_flight = metrics.JOBS_IN_FLIGHT.labels(pool_name)

    async def handle(self, msg: Msg) -> None:
        try:
            job = job_decoder.decode(msg.data)
        except msgspec.DecodeError as exc:
            log.error("runner.bad_job", error=str(exc))
            await msg.term()
            return
        attempt = msg.metadata.num_delivered if msg.reply else 1
        flag = self._cancels.acquire(job.run_id)
        self._in_flight.inc()
        try:
            await self._code.ensure(job.catalog_revision)
            fetched = await self._blobs.fetch([raw for step in job.steps for raw in step.inputs.values()])
            multi = {
                step.node_id
                for step in job.steps
                if (spec := self._code.get(step.function)) is not None and spec.output_keys
            }
            if job.whole is not None:
                await self._run_whole(job, attempt, flag, msg)
            elif not (self._runs_inline(job) and await self._run_inline(job, attempt, flag, fetched, multi)):
                await self._run_threaded(job, attempt, flag, msg, fetched, multi)
        finally:
            self._cancels.release(job.run_id)
            self._in_flight.dec()
            self._jobs.inc()
        # Acked only once its events are stored: a crash before this replays the job.
        await msg.ack()

    async def _run_inline(
        self, job: Job, attempt: int, flag: threading.Event, fetched: dict, multi: set[str]
    ) -> bool:
        """Run on the event loop, unless an env node holds the environment right now."""
        if not self._env_lock.try_shared():
            return False
        events: list[Any] = []
        try:
            self._run_chain(job, attempt, flag, events.append, fetched, inline=True)
        finally:
            self._env_lock.release_shared()
        events = [await self._offload(event, multi) for event in events]
        await asyncio.gather(*await self._sink.nodes(job.run_id, events))
        return True

    async def _run_threaded(
        self, job: Job, attempt: int, flag: threading.Event, msg: Msg, fetched: dict, multi: set[str]
    ) -> None:
        beat = asyncio.create_task(self._keep_alive(msg))
        loop = asyncio.get_running_loop()
        outbox: asyncio.Queue[Any] = asyncio.Queue()
        publisher = asyncio.create_task(self._publish_all(outbox, multi))

        def emit(event: Any) -> None:
            loop.call_soon_threadsafe(outbox.put_nowait, event)

        try:
            context = contextvars.copy_context()
            await loop.run_in_executor(
                self._pool, context.run, self._run_chain, job, attempt, flag, emit, fetched
            )
        finally:
            outbox.put_nowait(_END)
            try:
                await publisher
            finally:
                beat.cancel()

    async def _run_whole(self, job: Job, attempt: int, flag: threading.Event, msg: Msg) -> None:
        """A whole small run: every node here, then the run's final event, as one message.

        An orchestrator hands a run over entire when all its functions proved
        quick; it still owns the run (cancel, a job given up) and acks its submit
        when this final event arrives. The final's Nats-Msg-Id is the one the
        orchestrator would use, so if a cancel crosses it only one end is stored.
        A gateway's ``direct`` run has no owner until its job is given up (see
        ``psynapse_common.handover``).
        """
        whole = job.whole
        assert whole is not None
        plan = build_plan(whole.nodes, whole.edges, whole.functions)
        specs = list(plan.functions.values())
        on_loop = self.placement.inline(
            [spec.name for spec in specs], [spec.kind for spec in specs], False
        ) and self._env_lock.try_shared()

        def call_step(step: JobStep) -> NodeEvent | None:
            ends: list[NodeEvent] = []
            single = Job(run_id=job.run_id, steps=[step])
            self._run_steps(single, attempt, flag, ends.append, None, {}, True, [], on_loop=on_loop)
            return ends[-1] if ends else None

        events: list[NodeEvent] = []
        run = LocalRun(plan, job.run_id, call_step, events.append, flag)
        if on_loop:
            try:
                finished = run.execute()
            finally:
                self._env_lock.release_shared()
        else:
            beat = asyncio.create_task(self._keep_alive(msg))
            try:
                finished = await asyncio.get_running_loop().run_in_executor(
                    self._pool, contextvars.copy_context().run, self._shared_env, run.execute
                )
            finally:
                beat.cancel()
        if not finished:
            return  # cancelled: the orchestrator has ended the run already
        multi = {node_id for node_id, spec in plan.functions.items() if spec.output_keys}
        nodes, results = await self._offload_all(events, run.wiring.view_results(), multi)
        if _value_bytes(nodes, results) > self._max_message_bytes // 2:
            # Many values, each under the inline limit, can still overflow one message.
            nodes, results = await self._offload_all(events, run.wiring.view_results(), multi, _SMALL_VALUE)
        final = run.final(
            nodes=nodes, started_at=whole.submitted_at, finished_at=time.time(), workflow=whole.workflow
        )
        await (await self._sink.run(msgspec.structs.replace(final, results=results)))

    async def _offload_all(
        self, events: list[NodeEvent], results: dict[str, msgspec.Raw], multi: set[str], limit: int | None = None
    ) -> tuple[list[NodeEvent], dict[str, msgspec.Raw]]:
        nodes = [await self._offload(event, multi, limit) for event in events]
        return nodes, {node_id: await self._blobs.offload(raw, limit) for node_id, raw in results.items()}

    def _shared_env(self, work: Any) -> Any:
        with self._env_lock.around(None):
            return work()

    def _runs_inline(self, job: Job) -> bool:
        specs = [self._code.get(step.function) for step in job.steps]
        if any(spec is None for spec in specs):
            return False
        return self.placement.inline(
            [step.function for step in job.steps],
            [spec.kind for spec in specs],
            job.env_sealed is not None,
        )

    async def _publish_all(self, outbox: asyncio.Queue[Any], multi: set[str]) -> None:
        acks: list[asyncio.Future] = []
        while True:
            event = await outbox.get()
            if event is _END:
                break
            if isinstance(event, NodeEvent) and event.status != "executing" and acks:
                # A node's end goes out once its earlier events are stored: the
                # orchestrator acts on the end, and a log must never hold an end
                # without the progress before it (a resend after an election).
                await asyncio.gather(*acks)
            acks.append(await self._publish(await self._offload(event, multi)))
        if acks:
            await asyncio.gather(*acks)

    async def _offload(self, event: Any, multi: set[str], limit: int | None = None) -> Any:
        """Large outputs go to the object store; a multi-output node's keys each on their own."""
        if not isinstance(event, NodeEvent):
            return event
        limit = self._blobs.inline_limit if limit is None else limit
        if any(len(raw) > limit for raw in event.inputs.values()):
            inputs = {name: await self._blobs.offload(raw, limit) for name, raw in event.inputs.items()}
            event = msgspec.structs.replace(event, inputs=inputs)
        if len(event.output) <= limit:
            return event
        if event.node_id in multi:
            parts = _parts_decoder.decode(event.output)
            shrunk = {key: await self._blobs.offload(raw, limit) for key, raw in parts.items()}
            output = msgspec.Raw(msgspec.msgpack.encode(shrunk))
        else:
            output = await self._blobs.offload(event.output, limit)
        return msgspec.structs.replace(event, output=output)

    def _publish(self, event: Any) -> Any:
        if isinstance(event, NodeEvent):
            return self._sink.node(event)
        if isinstance(event, ProgressEvent):
            return self._sink.progress(event)
        return self._sink.stream(event)

    async def _keep_alive(self, msg: Msg) -> None:
        while True:
            await asyncio.sleep(self._ack_wait / 3)
            await msg.in_progress()

    def _run_chain(
        self,
        job: Job,
        attempt: int,
        flag: threading.Event,
        emit: Any,
        fetched: dict[str, bytes],
        inline: bool = False,
    ) -> None:
        env: dict[str, str] | None = None
        env_error: str | None = None
        if job.env_sealed:
            try:
                env = unseal(job.env_sealed, self._secret_key)
            except SealError as exc:
                env_error = str(exc)
        secrets = [value for value in (env or {}).values() if len(value) >= 4]
        if inline:  # the caller holds the lock's shared part already
            self._run_steps(job, attempt, flag, emit, env_error, fetched, inline, secrets)
            return
        with self._env_lock.around(env):
            self._run_steps(job, attempt, flag, emit, env_error, fetched, inline, secrets)

    def _run_steps(
        self,
        job: Job,
        attempt: int,
        flag: threading.Event,
        emit: Any,
        env_error: str | None,
        fetched: dict[str, bytes],
        inline: bool,
        secrets: list[str],
        on_loop: bool | None = None,
    ) -> None:
        """``inline``: each node's end event stands for its start too; ``on_loop``
        (default: ``inline``): the calls run on the event loop, for placement."""
        on_loop = inline if on_loop is None else on_loop
        values: dict[str, Any] = {}
        encoded: dict[str, msgspec.Raw] = {}
        failed: set[str] = set()
        run_id = job.run_id
        for step in job.steps:
            if flag.is_set():
                return  # the orchestrator already ended these nodes as cancelled
            node_id = step.node_id
            if any(source in failed for source, _ in step.chained.values()):
                # The orchestrator fails the dependants of a failed node itself.
                failed.add(node_id)
                continue
            shown_inputs = dict(step.inputs)
            for param, (source, key) in step.chained.items():
                shown_inputs[param] = _part(encoded[source], key)

            def node_event(status: str, **fields: Any) -> NodeEvent:
                return NodeEvent(
                    run_id=run_id,
                    node_id=node_id,
                    node_name=step.function,
                    status=status,  # type: ignore[arg-type]
                    inputs=shown_inputs,
                    attempt=attempt,
                    **fields,
                )

            if not inline:
                emit(node_event("executing"))
            started = time.perf_counter()
            try:
                if env_error:
                    raise SealError(env_error)
                spec = self._code.get(step.function)
                if spec is None:
                    raise LookupError(f"function {step.function!r} is not loaded on this runner")
                inputs = {name: codec.decode(raw, fetched) for name, raw in step.inputs.items()}
                for param, (source, key) in step.chained.items():
                    inputs[param] = values[source][key] if key else values[source]
                kwargs = prepare_kwargs(spec, inputs)

                def progress(percent: float, message: str, node_id: str = node_id) -> None:
                    emit(ProgressEvent(run_id=run_id, node_id=node_id, progress=percent, message=message))

                def chunk(text: str, node_id: str = node_id) -> None:
                    emit(StreamEvent(run_id=run_id, node_id=node_id, chunk=text))

                called = time.perf_counter()
                result = call_node(spec, kwargs, progress, chunk, flag)
                self.placement.observe(step.function, _since(called), on_loop)
                output = msgspec.Raw(codec.encode(result))
            except Exception as exc:  # noqa: BLE001 - a node's failure is reported, not raised
                message = _scrub(describe_error(exc), secrets)
                metrics.node_called(step.function, time.perf_counter() - started, failed=True)
                emit(node_event("error", error=message, duration_ms=_since(started), instant=inline))
                log.info("node.failed", run_id=run_id, node_id=node_id, error=message)
                failed.add(node_id)
                continue
            metrics.node_called(step.function, time.perf_counter() - started, failed=False)
            values[node_id] = result
            encoded[node_id] = output
            emit(node_event("completed", output=output, duration_ms=_since(started), instant=inline))


def _value_bytes(events: list[NodeEvent], results: dict[str, msgspec.Raw]) -> int:
    size = sum(len(raw) for raw in results.values())
    for event in events:
        size += len(event.output) + sum(len(raw) for raw in event.inputs.values())
    return size


def _scrub(message: str, secrets: list[str]) -> str:
    # A node that fails with its API key in the message must not publish the key.
    for secret in secrets:
        message = message.replace(secret, "[secret]")
    return message


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _part(raw: msgspec.Raw, key: str | None) -> msgspec.Raw:
    if key is None:
        return raw
    return _parts_decoder.decode(raw).get(key, NIL)
