"""Orchestrator process: takes runs from PSY_RUNS and drives each to its end."""

from __future__ import annotations

import asyncio
import contextlib
import time

import msgspec
import structlog
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError

from psynapse_common import logs, messages
from psynapse_common.cache import NodeCache
from psynapse_common.catalog_watch import CatalogWatch
from psynapse_common.events import EventSink
from psynapse_common.graph import GraphError, Plan, build_plan
from psynapse_common.handover import submit_of
from psynapse_common.messages import Job, NodeBatch, RunEvent, RunSubmit
from psynapse_common.metrics_server import start_metrics
from psynapse_common.nats_io import connect, declare_backbone, ensure_work_consumer, wait_closed, watch_connection
from psynapse_common.publisher import AckedPublisher
from psynapse_common.puller import Puller
from psynapse_common.quick import QuickFunctions
from psynapse_common.runlog import read_final, read_run_log
from psynapse_common.service import Beat, instance_id, run, settle_heap
from psynapse_common.settings import Settings
from psynapse_common.subjects import Names

from . import metrics
from .run import RunExecution

log = structlog.get_logger()


class Orchestrator:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.active: dict[str, RunExecution] = {}
        self._final_subs: dict[str, Subscription] = {}
        self._unsubscribing: set[asyncio.Future[None]] = set()
        self.quick = QuickFunctions(settings.quick_group_threshold_ms)

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
        self.sink = EventSink(self.publisher, self.names)
        self.cache: NodeCache | None = None
        if settings.cache_enabled:
            self.cache = NodeCache(
                self.nc, self.js, self.backbone.cache, self.names.cache_bucket, self.names.blobs_store
            )
        self.catalog = CatalogWatch(self.backbone.schema, self.names.catalog_key)
        await self.catalog.start()
        if not await self.catalog.wait_ready(timeout=30):
            log.warning("orchestrator.no_catalog_yet")
        # One subscription each for every run's node events and cancels, routed by
        # run id: cheaper than two subscriptions per run.
        await self.nc.subscribe(self.names.events_of_kind("node"), cb=self._route_node_event)
        await self.nc.subscribe(self.names.cancel_all, cb=self._route_cancel)
        for advisory in ("LEADER_ELECTED", "QUORUM_LOST"):
            # Events heard while their stream had no leader may be stored late.
            await self.nc.subscribe(
                f"$JS.EVENT.ADVISORY.STREAM.{advisory}.{self.names.events_stream}",
                cb=self._on_stream_trouble,
            )
        # JetStream announces a job that used up its deliveries: its nodes fail.
        given_up = f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{self.names.jobs_stream}.*"
        await self.nc.subscribe(given_up, cb=self._on_job_given_up)
        await self.nc.subscribe(
            given_up, queue=self.names.orchestrators_consumer, cb=self._on_direct_job_given_up
        )
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
        await self.catalog.wait_ready(timeout=10)
        try:
            plan = build_plan(submit.nodes, submit.edges, self.catalog.nodes)
        except GraphError as exc:
            ack = await self.sink.run(RunEvent(run_id=submit.run_id, status="error", error=str(exc)))
            await ack
            await msg.ack()
            return
        self.quick.catalog_changed(self.catalog.revision)
        execution = self._execution(submit, plan, msg, self._cache_for(submit))
        self.active[submit.run_id] = execution
        history = None
        if msg.metadata.num_delivered > 1:
            # Another orchestrator (or this one, before a restart) had this run.
            history = await read_run_log(self.js, self.names, submit.run_id)
        metrics.RUNS_STARTED.inc()
        started = time.perf_counter()
        await execution.start(history)
        # Holding the slot until the run ends is what bounds concurrent runs.
        await execution.done.wait()
        metrics.run_finished(_outcome(execution.errors), time.perf_counter() - started)

    def _execution(
        self, submit: RunSubmit, plan: Plan, msg: Msg | None, cache: NodeCache | None = None
    ) -> RunExecution:
        return RunExecution(
            submit,
            plan,
            msg,
            self.publisher,
            self.sink,
            self.names,
            self.catalog.revision,
            self._forget,
            self.quick,
            cache,
            self._read_log,
            self.settings.whole_run_max_nodes,
            self._read_final,
            self._listen_final,
        )

    def _cache_for(self, submit: RunSubmit) -> NodeCache | None:
        """The cache, unless the run opts out or carries env_vars (outputs may depend on secrets)."""
        if not submit.cache or submit.env_sealed is not None:
            return None
        return self.cache

    async def _route_node_event(self, msg: Msg) -> None:
        execution = self.active.get(Names.run_id_of(msg.subject))
        if execution is not None:
            event = messages.node_event_decoder.decode(msg.data)
            events = event.events if isinstance(event, NodeBatch) else (event,)
            metrics.observe_node_events(events)
            await execution.on_node_events(events)

    async def _route_final(self, msg: Msg) -> None:
        execution = self.active.get(Names.run_id_of(msg.subject))
        if execution is not None:
            final = messages.run_outcome_decoder.decode(msg.data)
            metrics.observe_node_events(final.nodes)
            await execution.on_final(final)

    async def _on_stream_trouble(self, _msg: Msg) -> None:
        self.publisher.note_trouble()

    async def _read_log(self, run_id: str) -> list:
        return await read_run_log(self.js, self.names, run_id)

    async def _read_final(self, run_id: str) -> RunEvent | None:
        return await read_final(self.js, self.names, run_id)

    async def _route_cancel(self, msg: Msg) -> None:
        execution = self.active.get(Names.run_id_of(msg.subject))
        if execution is not None:
            await execution.cancel()

    async def _given_up_job(self, msg: Msg) -> tuple[dict, Job] | None:
        """The job a max-deliveries advisory is about, unless another orchestrator removed it."""
        advisory = msgspec.json.decode(msg.data)
        try:
            stored = await self.js.get_msg(self.names.jobs_stream, advisory["stream_seq"])
        except NotFoundError:
            return None
        return advisory, messages.job_decoder.decode(stored.data)

    async def _on_job_given_up(self, msg: Msg) -> None:
        found = await self._given_up_job(msg)
        if found is None:
            return
        advisory, job = found
        execution = self.active.get(job.run_id)
        if execution is None:
            return  # another orchestrator drives that run, or none does (direct)
        await self._give_up(execution, job, advisory)

    async def _on_direct_job_given_up(self, msg: Msg) -> None:
        """A run the gateway handed over direct: one orchestrator of the queue group ends it."""
        found = await self._given_up_job(msg)
        if found is None:
            return
        advisory, job = found
        if job.whole is None or not job.whole.direct:
            return
        plan = build_plan(job.whole.nodes, job.whole.edges, job.whole.functions)
        execution = self._execution(submit_of(job), plan, None)
        execution.handed_over()
        await self._give_up(execution, job, advisory)

    async def _give_up(self, execution: RunExecution, job: Job, advisory: dict) -> None:
        deliveries = advisory.get("deliveries", self.settings.job_max_deliver)
        stopped = "the runner running it stopped each time (crashed or was killed)"
        if job.whole is not None:
            reason = f"the run (one job for all its nodes) did not finish after {deliveries} attempts: {stopped}"
            nodes = list(execution.plan.order)
        else:
            first = job.steps[0]
            reason = f"node '{first.node_id}' ({first.function}) did not finish after {deliveries} attempts: {stopped}"
            nodes = [step.node_id for step in job.steps]
        log.warning("job.given_up", run_id=job.run_id, nodes=len(nodes), deliveries=deliveries)
        await execution.abandon(nodes, reason)
        await self.js.delete_msg(self.names.jobs_stream, advisory["stream_seq"])

    async def _listen_final(self, run_id: str) -> None:
        """Hear the final event of a run handed over whole, from its runner.

        One subscription per such run, not one to every run's final: an /execute
        run the gateway hands over direct would wake every orchestrator for nothing.
        """
        subject = self.names.event(run_id, "run")
        self._final_subs[run_id] = await self.nc.subscribe(subject, cb=self._route_final)

    def _forget(self, run_id: str) -> None:
        self.active.pop(run_id, None)
        listening = self._final_subs.pop(run_id, None)
        if listening is not None:
            # Not awaited here: this may run inside that subscription's own callback.
            task = asyncio.ensure_future(_unsubscribe(listening))
            self._unsubscribing.add(task)  # the loop keeps only a weak reference
            task.add_done_callback(self._unsubscribing.discard)

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
            await self._puller.stop(timeout=1)
        self._keep_alive.cancel()
        await self.beat.stop()
        await self.catalog.stop()
        await self.publisher.stop()
        await wait_closed(self.nc)


async def _unsubscribe(subscription: Subscription) -> None:
    with contextlib.suppress(NatsError):  # closed or gone: the interest went with it
        await subscription.unsubscribe()


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
