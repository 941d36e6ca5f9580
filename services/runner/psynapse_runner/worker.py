"""Runner process: one durable pull consumer per pool, shared by every runner of the pool.

A runner with too many stuck threads (``jobs``) drains like a stopped one, then exits
with ``EXIT_RESTART`` so that whatever runs it starts it afresh.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable

import structlog

from psynapse_common import logs
from psynapse_common.acks import AckConfirmer
from psynapse_common.blobs import Blobs
from psynapse_common.cache import NodeCache
from psynapse_common.catalog_watch import CatalogWatch
from psynapse_common.events import EventSink
from psynapse_common.lifecycle import EXIT_RESTART, Beat, instance_id, run, settle_heap
from psynapse_common.messages import CatalogSnapshot
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
from psynapse_common.settings import Settings

from .cancels import CancelBoard
from .jobs import JobRunner, StuckLimits
from .nodecode import CodeCatalog
from .poolcatalog import PoolCatalogPublisher

log = structlog.get_logger()


class Ending:
    """Why the runner stops: a signal, or a restart it asked for; and its stuck threads then."""

    def __init__(self, stop: asyncio.Event) -> None:
        self._stop = stop
        self.restart_reason: str | None = None
        self.stuck = 0

    def restart(self, reason: str) -> None:
        if self.restart_reason is None:
            log.warning("runner.restarting", reason=reason)
            self.restart_reason = reason
        self._stop.set()


async def serve(settings: Settings, stop: asyncio.Event, ending: Ending | None = None) -> None:
    ending = ending or Ending(stop)
    pool_name = settings.runner_pool
    puller: Puller | None = None

    async def on_reconnect() -> None:
        if puller is not None:
            puller.reset()

    nc = await connect(settings, f"runner-{pool_name}", on_reconnect)
    js = nc.jetstream()
    backbone = await declare_backbone(js, settings)
    names = backbone.names
    consumer = names.runners_consumer(pool_name)
    await ensure_work_consumer(
        js,
        names.jobs_stream,
        consumer,
        names.pool_jobs(pool_name),
        settings.job_ack_wait_s,
        settings.job_max_deliver,
    )

    publisher = AckedPublisher(nc)
    watch_connection(nc, publisher)
    await publisher.start()
    await watch_elections(nc, names.events_stream, publisher)
    acks = AckConfirmer(nc, settings.job_ack_wait_s)
    await acks.start()
    code = CodeCatalog(settings.nodepacks_dir)
    pool_catalog = PoolCatalogPublisher(backbone.schema, names.pool_catalog_key(pool_name), pool_name)
    if settings.pool_environment:
        code.on_loaded = pool_catalog.publish
    else:
        # The pool runs in the services' environment now: what an earlier runner of it
        # published from an environment of its own no longer holds.
        await pool_catalog.withdraw()
    await code.load()
    cancels = CancelBoard()
    await nc.subscribe(names.cancel_all, cb=cancels.on_message)
    cache = None
    if settings.cache_enabled:
        cache = NodeCache(nc, js, backbone.cache, names.cache_bucket, names.blobs_store)
    jobs = JobRunner(
        EventSink(publisher, names, nc.max_payload // 2),
        code,
        settings.runner_concurrency,
        cancels,
        settings.secret_key,
        settings.job_ack_wait_s,
        acks,
        Blobs(backbone.blobs, settings.inline_value_limit),
        cache,
        StuckLimits(settings.runner_stuck_grace_s, settings.runner_max_stuck_threads, ending.restart),
        pool_name,
        settings.runner_async_concurrency,
    )
    watch = CatalogWatch(backbone.schema, names.catalog_key)

    def follow_catalog(snapshot: CatalogSnapshot) -> None:
        asyncio.ensure_future(code.follow(watch.revision, snapshot.code_load))

    watch.on_change(follow_catalog)
    await watch.start()

    puller = Puller(nc, names.jobs_stream, consumer, settings.runner_concurrency, jobs.handle)
    jobs.release_slot = puller.release
    await puller.start()
    beat = Beat(backbone.services, "runner", instance_id("runner"), pool=pool_name)
    await beat.start()
    jobs.on_stuck = beat.set_stuck_threads
    exporter = start_metrics(
        settings.http_host, settings.metrics_port, lambda: beat.last_ok, lambda: {"stuck_threads": jobs.threads.stuck}
    )
    settle_heap()
    log.info(
        "runner.ready",
        pool=pool_name,
        concurrency=settings.runner_concurrency,
        python=sys.executable,
        own_environment=settings.pool_environment,
    )

    await stop.wait()
    if exporter is not None:
        exporter.stop()
    log.info("runner.stopping", in_flight=puller.in_flight)
    await puller.stop(grace_s=settings.job_ack_wait_s)
    await beat.stop()
    await watch.stop()
    await acks.stop()
    ending.stuck = jobs.threads.stuck
    jobs.threads.shutdown()
    await wait_closed(nc)


def main(pool: str | None = None) -> None:
    settings = Settings(runner_pool=pool) if pool else Settings()
    logs.configure("runner", settings.log_format, settings.log_level)
    endings: list[Ending] = []

    def start(stop: asyncio.Event) -> Awaitable[None]:
        endings.append(Ending(stop))
        return serve(settings, stop, endings[0])

    run(start)
    ending = endings[0]
    if ending.restart_reason is not None or ending.stuck:
        # A stuck thread would hold the interpreter's exit for ever.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_RESTART if ending.restart_reason is not None else 0)
