"""The acked publisher against a real nats-server: a stream that is not there yet (as during
an election) is waited for, each message is stored once, and hopeless ones fail in time."""

from __future__ import annotations

import asyncio

import nats
import pytest
from nats.js.api import StreamConfig

from psynapse_common.publisher import AckedPublisher, PublishError
from tests.support.graphs import run_async


def test_publishes_wait_for_a_stream_to_answer_and_are_stored_once(nats_server):
    async def scenario() -> tuple[list[bytes], int]:
        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        publisher = AckedPublisher(nc, ack_timeout=1.0, retry_for=10.0)
        await publisher.start()
        futures = [await publisher.publish(f"late.subject.{i}", f"m{i}".encode()) for i in range(3)]
        await asyncio.sleep(0.6)  # "no responders" meanwhile: nothing stored, sent again
        assert not any(f.done() for f in futures)
        await js.add_stream(StreamConfig(name="LATE", subjects=["late.subject.*"]))
        await asyncio.wait_for(asyncio.gather(*futures), 10)
        info = await js.stream_info("LATE")
        stored = []
        for seq in range(1, info.state.last_seq + 1):
            data = (await js.get_msg("LATE", seq)).data
            assert data is not None
            stored.append(data)
        await publisher.stop()
        await js.delete_stream("LATE")
        await nc.close()
        return stored, info.state.messages

    stored, count = run_async(scenario())
    assert sorted(stored) == [b"m0", b"m1", b"m2"] and count == 3


def test_a_publish_no_stream_ever_takes_fails_after_the_retry_time(nats_server):
    async def scenario() -> None:
        nc = await nats.connect(nats_server.url)
        publisher = AckedPublisher(nc, ack_timeout=1.0, retry_for=0.8)
        await publisher.start()
        future = await publisher.publish("nowhere.at.all", b"x")
        with pytest.raises(PublishError, match="no responders"):
            await asyncio.wait_for(future, 5)
        await publisher.stop()
        await nc.close()

    run_async(scenario())
