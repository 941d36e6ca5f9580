"""Connecting to NATS and declaring the backbone (streams, buckets) idempotently."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import nats
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    KeyValueConfig,
    RePublish,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError, ServiceUnavailableError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from .blobs import open_object_store
from .cache import open_cache_bucket
from .settings import Settings
from .subjects import Names, names_from

log = structlog.get_logger()

# How long a stopping service waits for its connection to drain.
_DRAIN_S = 5.0


async def connect(
    settings: Settings,
    name: str,
    on_reconnect: Callable[[], Awaitable[None]] | None = None,
    no_echo: bool = False,
) -> Client:
    watchers: list[ConnectionWatcher] = []

    async def reconnected() -> None:
        log.info("nats.reconnected", client=name)
        for watcher in watchers:
            await watcher.reconnected()
        if on_reconnect is not None:
            await on_reconnect()

    async def disconnected() -> None:
        log.warning("nats.disconnected", client=name)
        for watcher in watchers:
            await watcher.disconnected()

    async def error(exc: Exception) -> None:
        log.warning("nats.error", client=name, error=str(exc))

    options: dict[str, Any] = {}
    if settings.nats_user:
        options["user"] = settings.nats_user
        options["password"] = settings.nats_password
    if settings.nats_nkey_seed_file:
        options["nkeys_seed"] = str(settings.nats_nkey_seed_file)
    # A cluster may be given as "nats://a:4222,nats://b:4222", as NATS tools take it;
    # either way the client learns the other members from the server it reaches.
    servers = [url.strip() for url in settings.nats_url.split(",") if url.strip()]
    client = await nats.connect(
        servers,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.25,
        connect_timeout=5,
        allow_reconnect=True,
        reconnected_cb=reconnected,
        disconnected_cb=disconnected,
        error_cb=error,
        # Pending buffers are bounded so a stalled subscriber drops rather than grows.
        pending_size=64 * 1024 * 1024,
        no_echo=no_echo,
        **options,
    )
    _WATCHERS[id(client)] = watchers
    return client


class ConnectionWatcher(Protocol):
    """What wants to hear of a connection's losses and returns (the acked publisher)."""

    async def disconnected(self) -> None: ...

    async def reconnected(self) -> None: ...


# Per client made by connect(): nats-py takes one callback of each kind, given at connect.
_WATCHERS: dict[int, list[ConnectionWatcher]] = {}


def watch_connection(client: Client, watcher: ConnectionWatcher) -> None:
    _WATCHERS.setdefault(id(client), []).append(watcher)


async def watch_elections(nc: Client, stream: str, publisher: Any) -> None:
    """A stream electing a leader may have lost what was in flight: the publisher sends
    everything not yet acked again, in order (see ``AckedPublisher.note_trouble``)."""

    async def on_advisory(_msg: Any) -> None:
        publisher.note_trouble()

    for advisory in ("LEADER_ELECTED", "QUORUM_LOST"):
        await nc.subscribe(f"$JS.EVENT.ADVISORY.STREAM.{advisory}.{stream}", cb=on_advisory)


async def _ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        await js.add_stream(config)
    except BadRequestError:
        await js.update_stream(config)


async def ensure_kv(js: JetStreamContext, config: KeyValueConfig) -> KeyValue:
    try:
        return await js.key_value(config.bucket)
    except NotFoundError:  # BucketNotFoundError included
        try:
            return await js.create_key_value(config)
        except BadRequestError:
            return await js.key_value(config.bucket)


class Backbone:
    """Handles of every stream and bucket a service uses, created if missing."""

    def __init__(self, js: JetStreamContext, names: Names) -> None:
        self.js = js
        self.names = names
        self.schema: KeyValue
        self.services: KeyValue
        self.cache: KeyValue
        self.blobs: ObjectStore


async def declare_backbone(js: JetStreamContext, settings: Settings, patience_s: float = 60.0) -> Backbone:
    """Every stream and bucket, created or updated; idempotent, so safe to retry.

    In a cluster, JetStream API requests time out or answer 503 while a leader is
    being elected or replicas are placed (several services starting together, a
    node restarting), and a stream just created may not be found for a moment:
    that is waited out here rather than ending the service.
    """
    delay = 0.25
    deadline = time.monotonic() + patience_s
    while True:
        try:
            return await _declare_backbone(js, settings)
        # NotFoundError: another service's add_stream was answered "already in use"
        # before the stream could be found, so our update_stream did not find it.
        except (nats.errors.TimeoutError, ServiceUnavailableError, NotFoundError) as exc:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("backbone.retry", error=str(exc) or type(exc).__name__, in_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


async def _declare_backbone(js: JetStreamContext, settings: Settings) -> Backbone:
    names = names_from(settings)
    replicas = settings.stream_replicas
    for name, subjects in ((names.runs_stream, names.runs_all), (names.jobs_stream, names.jobs_all)):
        # Work queues: a message lives until one consumer acks it.
        await _ensure_stream(
            js,
            StreamConfig(
                name=name,
                subjects=[subjects],
                retention=RetentionPolicy.WORK_QUEUE,
                storage=StorageType.FILE,
                max_age=settings.runs_max_age_s,
                num_replicas=replicas,
            ),
        )
    await _ensure_stream(
        js,
        StreamConfig(
            name=names.events_stream,
            subjects=[names.events_all],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=settings.events_max_age_s,
            # Terminal node events carry a Nats-Msg-Id, so a redelivered job or a
            # cancel racing a completion still leaves one terminal event per node.
            duplicate_window=120.0,
            num_replicas=replicas,
            # Each stored event, pushed with its sequence: a new run's stream reads it live.
            republish=RePublish(src=names.events_all, dest=names.live_all),
        ),
    )
    backbone = Backbone(js, names)
    backbone.schema = await ensure_kv(js, KeyValueConfig(bucket=names.schema_bucket, history=5, replicas=replicas))
    backbone.services = await ensure_kv(
        js, KeyValueConfig(bucket=names.services_bucket, history=1, ttl=15.0, replicas=replicas)
    )
    backbone.cache = await open_cache_bucket(
        js, names.cache_bucket, settings.cache_ttl_s, settings.cache_max_bytes, replicas
    )
    backbone.blobs = await open_object_store(js, names.blobs_store, settings.runs_max_age_s, replicas)
    return backbone


async def ensure_work_consumer(
    js: JetStreamContext,
    stream: str,
    durable: str,
    filter_subject: str,
    ack_wait: float,
    max_deliver: int,
) -> None:
    config = ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=ack_wait,
        max_deliver=max_deliver,
        filter_subject=filter_subject,
        max_ack_pending=20000,
        max_waiting=2048,
    )
    # The server creates the durable or updates an existing one in place.
    await js.add_consumer(stream, config)


async def wait_closed(nc: Client) -> None:
    """Drain the connection: what was published goes out, subscriptions end; a stuck one is closed."""
    try:
        async with asyncio.timeout(_DRAIN_S):
            await nc.drain()
    except Exception:  # noqa: BLE001 - shutting down; a dead connection is fine
        if not nc.is_closed:
            await nc.close()
