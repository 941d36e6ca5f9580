"""Acks the server confirms, against a real nats-server: an ack confirmed takes the message
off the consumer; one nobody answers is sent again until someone does, or given up in time."""

from __future__ import annotations

import asyncio

import nats
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig

from psynapse_common.acks import AckConfirmer
from tests.support.graphs import run_async


def test_an_ack_is_confirmed_and_the_work_queue_lets_the_message_go(nats_server):
    async def scenario() -> tuple[int, int, int]:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name="ACKS", subjects=["acks.*"], retention=RetentionPolicy.WORK_QUEUE))
        config = ConsumerConfig(durable_name="worker", ack_policy=AckPolicy.EXPLICIT, ack_wait=30)
        await js.add_consumer("ACKS", config)
        for i in range(5):
            await js.publish(f"acks.{i}", b"job")
        confirmer = AckConfirmer(nc, within=10.0)
        await confirmer.start()
        sub = await js.pull_subscribe_bind("worker", stream="ACKS")
        for msg in await sub.fetch(5, timeout=5):
            await confirmer.ack(msg)
        assert await confirmer.confirmed(5.0)
        info = await js.consumer_info("ACKS", "worker")
        stream = await js.stream_info("ACKS")
        await confirmer.stop()
        await js.delete_stream("ACKS")
        await nc.close()
        return confirmer.unconfirmed, info.num_ack_pending, stream.state.messages

    unconfirmed, ack_pending, left = run_async(scenario())
    assert (unconfirmed, ack_pending, left) == (0, 0, 0)


def _message(nc: nats.NATS, reply: str) -> Msg:
    return Msg(_client=nc, subject="work", reply=reply, data=b"")


def test_an_ack_nobody_answered_goes_out_again_until_it_is_confirmed(nats_server):
    async def scenario() -> tuple[int, int, int]:
        nc = await nats.connect(nats_server.url)
        confirmer = AckConfirmer(nc, within=10.0, send_again_after=0.2)
        await confirmer.start()
        heard: list[bytes] = []
        await confirmer.ack(_message(nc, "late.consumer"))  # "no responders": nobody listens yet
        await asyncio.sleep(0.3)
        unanswered = confirmer.unconfirmed

        async def answer(msg: Msg) -> None:
            heard.append(msg.data)
            await msg.respond(b"")

        await nc.subscribe("late.consumer", cb=answer)
        assert await confirmer.confirmed(5.0)
        await confirmer.stop()
        await nc.close()
        return unanswered, confirmer.unconfirmed, len(heard)

    unanswered, unconfirmed, heard = run_async(scenario())
    assert unanswered == 1 and unconfirmed == 0 and heard >= 1


def test_an_ack_never_answered_is_given_up_after_its_time(nats_server):
    async def scenario() -> tuple[int, int]:
        nc = await nats.connect(nats_server.url)
        confirmer = AckConfirmer(nc, within=0.6, send_again_after=0.1)
        await confirmer.start()
        await confirmer.ack(_message(nc, "nobody.here"))
        assert await confirmer.confirmed(5.0)
        await confirmer.stop()
        await nc.close()
        return confirmer.unconfirmed, confirmer.given_up

    assert run_async(scenario()) == (0, 1)
