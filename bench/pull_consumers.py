"""Why the job consumer pulls with its own requests, not nats-py's ``fetch``: side by side.

A consumer with 8 slots takes jobs from a durable pull consumer three ways:

- ``puller``: ``psynapse_common.puller.Puller`` (requests kept open for the free
  slots, each message handed on as it lands);
- ``fetch-batch``: one loop of nats-py ``fetch(batch=8)``, handing each batch on;
- ``fetch-one``: 8 loops of nats-py ``fetch(batch=1)``, one per slot.

It measures one job at a time on an idle consumer (publish → handler start, the
latency a run's first node waits), a burst of jobs (jobs/s and the consumer
process's CPU per job), and one job right after the nats-server restarted (the
server forgot every open request; the puller asks again on reconnect, a fetch
waits out its request's expiry).

    .venv/bin/python bench/pull_consumers.py [--single 10] [--burst 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from psynapse.embedded.natsd import EmbeddedNats
from psynapse_common.puller import Puller

SLOTS = 8
FETCH_TIMEOUT_S = 5.0
Handler = Callable[[Msg], Awaitable[None]]
RECONNECTED: list[Callable[[], None]] = []


async def _puller(nc: Client, handler: Handler) -> Callable[[], Awaitable[None]]:
    puller = Puller(nc, "PULLBENCH", "jobs", SLOTS, handler)
    await puller.start()
    # As the runner does: requests the server lost are asked for again at once.
    RECONNECTED.append(puller.reset)
    return puller.stop


async def _fetch_batch(nc: Client, handler: Handler) -> Callable[[], Awaitable[None]]:
    subscription = await nc.jetstream().pull_subscribe_bind("jobs", "PULLBENCH")

    async def loop() -> None:
        while True:
            try:
                msgs = await subscription.fetch(SLOTS, timeout=FETCH_TIMEOUT_S)
            except TimeoutError:
                continue
            except Exception:  # noqa: BLE001 - disconnected: fetch again
                await asyncio.sleep(0.05)
                continue
            await asyncio.gather(*(handler(msg) for msg in msgs))

    task = asyncio.create_task(loop())

    async def stop() -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    return stop


async def _fetch_one(nc: Client, handler: Handler) -> Callable[[], Awaitable[None]]:
    async def loop() -> None:
        subscription = await nc.jetstream().pull_subscribe_bind("jobs", "PULLBENCH")
        while True:
            try:
                msgs = await subscription.fetch(1, timeout=FETCH_TIMEOUT_S)
            except TimeoutError:
                continue
            except Exception:  # noqa: BLE001 - disconnected: fetch again
                await asyncio.sleep(0.05)
                continue
            await handler(msgs[0])

    tasks = [asyncio.create_task(loop()) for _ in range(SLOTS)]

    async def stop() -> None:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    return stop


CONSUMERS = {"puller": _puller, "fetch-batch": _fetch_batch, "fetch-one": _fetch_one}


async def measure(server: EmbeddedNats, url: str, consumer: str, single: int, burst: int) -> dict[str, float]:
    RECONNECTED.clear()
    connected = asyncio.Event()

    async def reconnected() -> None:
        connected.set()
        for reset in RECONNECTED:
            reset()

    nc = await nats.connect(url, reconnected_cb=reconnected, reconnect_time_wait=0.1, max_reconnect_attempts=-1)
    js = nc.jetstream()
    with contextlib.suppress(Exception):
        await js.delete_stream("PULLBENCH")
    await js.add_stream(StreamConfig(name="PULLBENCH", subjects=["pullbench.>"]))
    await js.add_consumer("PULLBENCH", ConsumerConfig(durable_name="jobs", ack_policy=AckPolicy.EXPLICIT))
    started: dict[bytes, float] = {}
    handled = asyncio.Event()
    expected = 0

    async def handler(msg: Msg) -> None:
        started[msg.data] = time.perf_counter()
        await msg.ack()
        if len(started) >= expected:
            handled.set()

    stop = await CONSUMERS[consumer](nc, handler)
    await asyncio.sleep(0.5)  # its requests are open
    latencies = []
    for i in range(single):
        expected = len(started) + 1
        handled.clear()
        key = f"single-{i}".encode()
        sent = time.perf_counter()
        await js.publish("pullbench.job", key)
        try:
            await asyncio.wait_for(handled.wait(), FETCH_TIMEOUT_S * 2)
        except TimeoutError:
            break
        latencies.append(started[key] - sent)
        await asyncio.sleep(0.005)
    handled.clear()
    expected = len(started) + burst
    cpu_before = time.process_time()
    began = time.perf_counter()
    for i in range(burst):
        await js.publish("pullbench.job", f"burst-{i}".encode())
    await asyncio.wait_for(handled.wait(), 120)
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    # The server restarts (same port, same store) with nothing of this consumer's requests.
    await asyncio.to_thread(server.stop)
    await asyncio.to_thread(server.start)
    await asyncio.wait_for(connected.wait(), 30)
    await asyncio.sleep(0.2)
    expected = len(started) + 1
    handled.clear()
    sent = time.perf_counter()
    await js.publish("pullbench.job", b"after-restart")
    await asyncio.wait_for(handled.wait(), FETCH_TIMEOUT_S * 3)
    after_restart = started[b"after-restart"] - sent
    await stop()
    await js.delete_stream("PULLBENCH")
    await nc.close()
    return {
        "single_p50_ms": statistics.median(latencies) * 1000,
        "single_max_ms": max(latencies) * 1000,
        "singles": len(latencies),
        "burst_jobs_per_s": burst / wall,
        # Publishing is the same for all three; the difference is the consumer's.
        "burst_cpu_ms_per_job": cpu / burst * 1000,
        "after_restart_ms": after_restart * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--single", type=int, default=10)
    parser.add_argument("--burst", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        server = EmbeddedNats(Path(scratch))
        server.start()
        url = f"nats://{server.user}:{server.password}@127.0.0.1:{server.port}"
        try:
            print(
                "| consumer | one job: p50 ms | one job: max ms | burst jobs/s | burst CPU ms/job (client) "
                "| one job after a server restart, ms |"
            )
            print("|---|---|---|---|---|---|")
            for consumer in CONSUMERS:
                figures = asyncio.run(measure(server, url, consumer, args.single, args.burst))
                print(
                    f"| {consumer} | {figures['single_p50_ms']:.2f} | {figures['single_max_ms']:.2f} "
                    f"| {figures['burst_jobs_per_s']:.0f} | {figures['burst_cpu_ms_per_job']:.3f} "
                    f"| {figures['after_restart_ms']:.0f} |"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
