"""The pull protocol's accounting against a real nats-server: what open requests owe,
as messages, heartbeats, expiries and a deleted consumer arrive."""

from __future__ import annotations

import asyncio

import nats
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from psynapse_common.pull import Arrival, PullRequests
from psynapse_common.puller import Puller
from tests.support.graphs import run_async


async def _arrivals(sub, requests: PullRequests, count: int) -> list[Arrival]:
    return [requests.arrived(await sub.next_msg(timeout=5.0)) for _ in range(count)]


def test_what_requests_owe_follows_messages_and_expiries(nats_server):
    async def scenario() -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="PULLOWE", subjects=["pullowe.>"]))
        await js.add_consumer("PULLOWE", ConsumerConfig(durable_name="c", ack_policy=AckPolicy.NONE))
        for i in range(2):
            await js.publish("pullowe.x", f"m{i}".encode())
        sub = await nc.subscribe(nc.new_inbox())
        requests = PullRequests(nc, "PULLOWE", "c", sub.subject, expires_s=0.5)
        await requests.ask(5)
        assert requests.owed == 5
        assert await _arrivals(sub, requests, 2) == [Arrival.MESSAGE, Arrival.MESSAGE]
        assert requests.owed == 3
        # The request expires with three undelivered: the server says so, and they are not owed.
        assert await _arrivals(sub, requests, 1) == [Arrival.ENDED]
        assert requests.owed == 0
        # A request delivered in full ends without a word; once past its expiry it is dropped.
        await js.publish("pullowe.x", b"m2")
        await requests.ask(1)
        assert await _arrivals(sub, requests, 1) == [Arrival.MESSAGE]
        await requests.ask(3)
        assert requests.owed == 3
        await asyncio.sleep(0.7)
        requests.expire(0.1)
        assert requests.owed == 0
        await js.delete_stream("PULLOWE")
        await nc.close()

    run_async(scenario())


def test_heartbeats_and_a_deleted_consumer_are_told_apart(nats_server):
    async def scenario() -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="PULLGONE", subjects=["pullgone.>"]))
        await js.add_consumer("PULLGONE", ConsumerConfig(durable_name="c", ack_policy=AckPolicy.NONE))
        sub = await nc.subscribe(nc.new_inbox())
        requests = PullRequests(nc, "PULLGONE", "c", sub.subject, expires_s=30, heartbeat_s=0.2)
        await requests.ask(10)
        assert await _arrivals(sub, requests, 1) == [Arrival.HEARTBEAT]
        assert requests.owed == 10
        await js.delete_consumer("PULLGONE", "c")
        arrivals = await _arrivals(sub, requests, 1)
        while arrivals[-1] is Arrival.HEARTBEAT:  # one may have been on its way
            arrivals = await _arrivals(sub, requests, 1)
        assert arrivals[-1] is Arrival.CONSUMER_GONE
        assert requests.owed == 0
        await js.delete_stream("PULLGONE")
        await nc.close()

    run_async(scenario())


def test_a_handler_that_gives_its_slot_back_lets_another_message_in(nats_server):
    """A runner's awaited nodes need no thread: their jobs give the slot back, the rest keep it."""

    async def scenario() -> None:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="PULLLEND", subjects=["pulllend.>"]))
        await js.add_consumer("PULLLEND", ConsumerConfig(durable_name="c", ack_policy=AckPolicy.EXPLICIT))
        for payload in (b"awaited-1", b"awaited-2", b"awaited-3", b"thread-1", b"thread-2", b"thread-3"):
            await js.publish("pulllend.x", payload)
        gate, five_in, all_done = asyncio.Event(), asyncio.Event(), asyncio.Event()
        in_hand: list[str] = []
        done: list[str] = []

        async def handler(msg) -> None:
            in_hand.append(msg.data.decode())
            if len(in_hand) == 5:
                five_in.set()
            if msg.data.startswith(b"awaited"):
                puller.release(msg)
            await gate.wait()
            puller.release(msg)  # again: nothing happens
            await msg.ack()
            done.append(msg.data.decode())
            if len(done) == 6:
                all_done.set()

        puller = Puller(nc, "PULLLEND", "c", 2, handler, expires=1.0)
        await puller.start()
        async with asyncio.timeout(5):
            await five_in.wait()
        await asyncio.sleep(0.3)  # time for a sixth, which must not come: both slots are held
        assert in_hand == ["awaited-1", "awaited-2", "awaited-3", "thread-1", "thread-2"]
        assert puller.in_flight == 2
        gate.set()
        async with asyncio.timeout(5):
            await all_done.wait()
        assert sorted(done) == sorted(in_hand) and in_hand[-1] == "thread-3"
        assert puller.in_flight == 0
        await puller.stop()
        await js.delete_stream("PULLLEND")
        await nc.close()

    run_async(scenario())
