"""Executing one job: a chain of function nodes, each with its events."""

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
from psynapse_common.events import EventSink, confirm
from psynapse_common.invoke import call_node, describe_error, prepare_kwargs
from psynapse_common.messages import Job, JobStep, NodeEvent, ProgressEvent, StreamEvent, job_decoder
from psynapse_common.sealing import SealError, unseal

from .cancels import CancelBoard
from .code import CodeCatalog
from .envlock import EnvLock

log = structlog.get_logger()

_parts_decoder = msgspec.msgpack.Decoder(dict[str, msgspec.Raw])


class JobRunner:
    def __init__(
        self,
        sink: EventSink,
        code: CodeCatalog,
        pool: ThreadPoolExecutor,
        cancels: CancelBoard,
        secret_key: str | None,
        ack_wait: float,
    ) -> None:
        self._sink = sink
        self._code = code
        self._pool = pool
        self._cancels = cancels
        self._secret_key = secret_key
        self._ack_wait = ack_wait
        self._env_lock = EnvLock()

    async def handle(self, msg: Msg) -> None:
        try:
            job = job_decoder.decode(msg.data)
        except msgspec.DecodeError as exc:
            log.error("runner.bad_job", error=str(exc))
            await msg.term()
            return
        attempt = msg.metadata.num_delivered if msg.reply else 1
        flag = self._cancels.acquire(job.run_id)
        beat = asyncio.create_task(self._keep_alive(msg))
        published: list[asyncio.Future] = []
        try:
            await self._code.ensure(job.catalog_revision)
            await self._run_steps(job, attempt, flag, published)
            await confirm(published)
        finally:
            beat.cancel()
            self._cancels.release(job.run_id)
        # Acked only once its events are stored: a crash before this replays the job.
        await msg.ack()

    async def _keep_alive(self, msg: Msg) -> None:
        while True:
            await asyncio.sleep(self._ack_wait / 3)
            await msg.in_progress()

    async def _run_steps(
        self, job: Job, attempt: int, flag: threading.Event, published: list[asyncio.Future]
    ) -> None:
        env: dict[str, str] | None = None
        env_error: str | None = None
        if job.env_sealed:
            try:
                env = unseal(job.env_sealed, self._secret_key)
            except SealError as exc:
                env_error = str(exc)
        values: dict[str, Any] = {}
        encoded: dict[str, msgspec.Raw] = {}
        loop = asyncio.get_running_loop()
        for step in job.steps:
            if flag.is_set():
                return  # the orchestrator already ended these nodes as cancelled
            spec = self._code.get(step.function)
            shown_inputs = dict(step.inputs)
            for param, (source, key) in step.chained.items():
                shown_inputs[param] = _part(encoded[source], key)
            published.append(
                await self._sink.node(
                    NodeEvent(
                        run_id=job.run_id,
                        node_id=step.node_id,
                        node_name=step.function,
                        status="executing",
                        inputs=shown_inputs,
                        attempt=attempt,
                    )
                )
            )
            started = time.perf_counter()
            try:
                if env_error:
                    raise SealError(env_error)
                if spec is None:
                    raise LookupError(f"function {step.function!r} is not loaded on this runner")
                inputs = {name: codec.decode(raw) for name, raw in step.inputs.items()}
                for param, (source, key) in step.chained.items():
                    inputs[param] = values[source][key] if key else values[source]
                kwargs = prepare_kwargs(spec, inputs)
                progress, chunk = self._reporters(loop, job.run_id, step, published)
                context = contextvars.copy_context()
                result = await loop.run_in_executor(
                    self._pool,
                    context.run,
                    self._call,
                    spec,
                    kwargs,
                    progress,
                    chunk,
                    flag,
                    env,
                )
                output = msgspec.Raw(codec.encode(result))
            except Exception as exc:  # noqa: BLE001 - a node's failure is reported, not raised
                published.append(
                    await self._sink.node(
                        NodeEvent(
                            run_id=job.run_id,
                            node_id=step.node_id,
                            node_name=step.function,
                            status="error",
                            inputs=shown_inputs,
                            error=describe_error(exc),
                            attempt=attempt,
                            duration_ms=(time.perf_counter() - started) * 1000,
                        )
                    )
                )
                log.info("node.failed", run_id=job.run_id, node_id=step.node_id, error=describe_error(exc))
                return  # later steps depend on this one; the orchestrator fails them
            values[step.node_id] = result
            encoded[step.node_id] = output
            published.append(
                await self._sink.node(
                    NodeEvent(
                        run_id=job.run_id,
                        node_id=step.node_id,
                        node_name=step.function,
                        status="completed",
                        inputs=shown_inputs,
                        output=output,
                        attempt=attempt,
                        duration_ms=(time.perf_counter() - started) * 1000,
                    )
                )
            )

    def _call(self, spec: Any, kwargs: dict, progress: Any, chunk: Any, flag: threading.Event, env: dict | None) -> Any:
        with self._env_lock.around(env):
            return call_node(spec, kwargs, progress, chunk, flag)

    def _reporters(
        self, loop: asyncio.AbstractEventLoop, run_id: str, step: JobStep, published: list
    ) -> tuple[Any, Any]:
        sink = self._sink

        def spawn(coroutine: Any) -> None:
            published.append(asyncio.ensure_future(_acked(coroutine)))

        def progress(percent: float, message: str) -> None:
            event = ProgressEvent(run_id=run_id, node_id=step.node_id, progress=percent, message=message)
            loop.call_soon_threadsafe(spawn, sink.progress(event))

        def chunk(text: str) -> None:
            event = StreamEvent(run_id=run_id, node_id=step.node_id, chunk=text)
            loop.call_soon_threadsafe(spawn, sink.stream(event))

        return progress, chunk


async def _acked(publishing: Any) -> Any:
    ack_future = await publishing
    return await ack_future


def _part(raw: msgspec.Raw, key: str | None) -> msgspec.Raw:
    if key is None:
        return raw
    return _parts_decoder.decode(raw).get(key, msgspec.Raw(codec.encode(None)))
