"""Orchestrator process: takes runs from PSY_RUNS and drives each to its end."""

from __future__ import annotations

import asyncio
import functools
import time

import msgspec
import structlog
from nats.aio.msg import Msg
from nats.js.errors import NotFoundError

from psynapse_common import logs, messages
from psynapse_common.acks import AckConfirmer
from psynapse_common.blobs import Blobs
from psynapse_common.catalog_watch import CatalogWatch
from psynapse_common.events import EventSink
from psynapse_common.graph import GraphError
from psynapse_common.lifecycle import Beat, instance_id, run, settle_heap
from psynapse_common.messages import Event, RunEvent
from psynapse_common.metrics_server import start_metrics
from psynapse_common.nats_io import (
    connect,
    declare_backbone,
    ensure_work_consumer,
    wait_closed,
    watch_connection,
    watch_elections,
)
from psynapse_common.publisher import AckedPublisher
from psynapse_common.puller import Puller
from psynapse_common.runlog import jobs_in_flight, read_run_log
from psynapse_common.saved_workflows import SavedWorkflows
from psynapse_common.settings import Settings
from psynapse_common.subgraphs import plan_graph
from psynapse_common.subjects import Names

from . import metrics
from .learner import QuickFunctions
from .run import RunExecution, Services, run_graph

log = structlog.get_logger()


class Orchestrator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.active: dict[str, RunExecution] = {}
        self.learner = QuickFunctions(settings.quick_call_ms, settings.cache_min_call_ms)

    async def start(self) -> None:
        settings = self.settings
        self._puller: Puller | None = None

        async def on_reconnect() -> None:
            self.publisher.note_trouble()
            if self._puller is not None:
                self._puller.reset()

        # no_echo: the node events it publishes itself need not come back to it.
        self.nc = await connect(settings, "orchestrator", on_reconnect, no_echo=True)
        self.js = self.nc.jetstream()
        self.backbone = await declare_backbone(self.js, settings)
        self.names = self.backbone.names
        self.publisher = AckedPublisher(self.nc)
        watch_connection(self.nc, self.publisher)
        await self.publisher.start()
        self.acks = AckConfirmer(self.nc, settings.run_ack_wait_s)
        await self.acks.start()
        self.sink = EventSink(self.publisher, self.names, self.nc.max_payload // 2)
        self.blobs = Blobs(self.backbone.blobs, settings.inline_value_limit)
        self.catalog = CatalogWatch(self.backbone.schema, self.names.catalog_key)
        await self.catalog.start()
        if not await self.catalog.wait_ready(within_s=30):
            log.warning("orchestrator.no_catalog_yet")
        # One subscription each for every run's node events and cancels, routed by
        # run id: cheaper than two subscriptions per run.
        await self.nc.subscribe(self.names.events_of_kind("node"), cb=self._route_node_event)
        await self.nc.subscribe(self.names.cancel_all, cb=self._route_cancel)
        # Events heard while their stream had no leader may be stored late.
        await watch_elections(self.nc, self.names.events_stream, self.publisher)
        # JetStream announces a job that used up its deliveries: its nodes fail.
        given_up = f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{self.names.jobs_stream}.*"
        await self.nc.subscribe(given_up, cb=self._on_job_given_up)
        self.services = Services(
            publisher=self.publisher,
            acks=self.acks,
            sink=self.sink,
            names=self.names,
            learner=self.learner,
            catalog_revision=lambda: self.catalog.revision,
            read_log=self._read_log,
            cache_enabled=settings.cache_enabled,
            segment_max_nodes=settings.segment_max_nodes,
            cancel_grace_s=settings.cancel_grace_s,
            blobs=self.blobs,
            catalog=lambda: self.catalog.nodes,
            stop_runners=self._stop_runners,
        )
        self.workflows = SavedWorkflows(self.js, self.names, settings.stream_replicas)
        await ensure_work_consumer(
            self.js,
            self.names.runs_stream,
            self.names.orchestrators_consumer,
            self.names.runs_all,
            ack_wait=settings.run_ack_wait_s,
            max_deliver=-1,
        )
        self._puller = Puller(
            self.nc,
            self.names.runs_stream,
            self.names.orchestrators_consumer,
            settings.max_concurrent_runs,
            self.take_run,
        )
        await self._puller.start()
        self._keep_alive = asyncio.create_task(self._keep_runs_alive())
        self.beat = Beat(self.backbone.services, "orchestrator", instance_id("orchestrator"))
        await self.beat.start()
        settle_heap()
        log.info("orchestrator.ready")

    async def take_run(self, msg: Msg) -> None:
        try:
            submit = messages.run_submit_decoder.decode(msg.data)
        except msgspec.DecodeError as exc:
            log.error("orchestrator.bad_run", error=str(exc))
            await msg.term()
            return
        if submit.run_id in self.active:
            return  # a redelivery while we still drive it
        await self.catalog.wait_ready(within_s=10)
        try:
            plan = await plan_graph(
                submit.nodes,
                submit.edges,
                self.catalog.nodes,
                functools.partial(self.workflows.load, as_of=submit.submitted_at),
                submit.targets,
            )
        except GraphError as exc:
            refused = RunEvent(
                run_id=submit.run_id,
                status="error",
                error=str(exc),
                started_at=submit.submitted_at,
                finished_at=time.time(),
                workflow=submit.workflow,
                node_count=len(submit.nodes),
                graph=await run_graph(submit, self.blobs),
            )
            ack = await self.sink.run(refused)
            await ack
            await msg.ack()
            return
        self.learner.catalog_changed(self.catalog.revision)
        execution = RunExecution(submit, plan, msg, self.services, self._forget)
        self.active[submit.run_id] = execution
        history: list[Event] | None = None
        in_flight = []
        if msg.metadata.num_delivered > 1:
            # Another orchestrator (or this one, before a restart) had this run: what
            # its jobs still hold first, then the log, so nothing settles in between.
            in_flight = await jobs_in_flight(self.js, self.names, submit.run_id)
            history = await read_run_log(self.js, self.names, submit.run_id)
        metrics.RUNS_STARTED.inc()
        started = time.perf_counter()
        await execution.start(history, in_flight)
        # Holding the slot until the run ends is what bounds concurrent runs.
        await execution.done.wait()
        outcome = "error" if execution.timed_out else _outcome(execution.errors)
        metrics.run_finished(outcome, time.perf_counter() - started)

    async def _route_node_event(self, msg: Msg) -> None:
        execution = self.active.get(Names.run_id_of(msg.subject))
        if execution is not None:
            await execution.on_node_events(messages.node_events_decoder.decode(msg.data).events)

    async def _read_log(self, run_id: str) -> list[Event]:
        return await read_run_log(self.js, self.names, run_id)

    async def _route_cancel(self, msg: Msg) -> None:
        execution = self.active.get(Names.run_id_of(msg.subject))
        if execution is not None:
            await execution.cancel()

    async def _stop_runners(self, run_id: str) -> None:
        # The cancel a client's stop sends; this orchestrator does not hear its own (no_echo).
        await self.nc.publish(self.names.cancel(run_id), b"")

    async def _on_job_given_up(self, msg: Msg) -> None:
        advisory = msgspec.json.decode(msg.data)
        try:
            stored = await self.js.get_msg(self.names.jobs_stream, advisory["stream_seq"])
        except NotFoundError:
            return  # another orchestrator dealt with it
        job = messages.job_decoder.decode(stored.data or b"")
        execution = self.active.get(job.run_id)
        if execution is None:
            return  # another orchestrator drives that run
        deliveries = advisory.get("deliveries", self.settings.job_max_deliver)
        nodes = [step.node_id for step in job.steps]
        log.warning("job.given_up", run_id=job.run_id, nodes=len(nodes), deliveries=deliveries)
        await execution.give_up(nodes, deliveries)
        await self.js.delete_msg(self.names.jobs_stream, advisory["stream_seq"])

    def _forget(self, run_id: str) -> None:
        self.active.pop(run_id, None)

    async def _keep_runs_alive(self) -> None:
        while True:
            await asyncio.sleep(self.settings.run_ack_wait_s / 3)
            for execution in list(self.active.values()):
                try:
                    await execution.keep_alive()
                except Exception as exc:  # noqa: BLE001 - NATS may be reconnecting
                    log.warning("orchestrator.keep_alive_failed", error=str(exc))

    async def stop(self) -> None:
        if self._puller is not None:
            await self._puller.stop(grace_s=1)
        self._keep_alive.cancel()
        await self.beat.stop()
        await self.catalog.stop()
        await self.publisher.stop()
        await self.acks.stop()
        await wait_closed(self.nc)


def _outcome(failed: dict[str, str]) -> str:
    if not failed:
        return "done"
    return "cancelled" if "cancelled" in failed.values() else "error"


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    orchestrator = Orchestrator(settings)
    await orchestrator.start()
    exporter = start_metrics(settings.http_host, settings.metrics_port, lambda: orchestrator.beat.last_ok)
    await stop.wait()
    if exporter is not None:
        exporter.stop()
    await orchestrator.stop()


def main() -> None:
    settings = Settings()
    logs.configure("orchestrator", settings.log_format, settings.log_level)
    run(lambda stop: serve(settings, stop))
