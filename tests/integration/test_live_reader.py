"""A new run's stream reads its events live, and falls back on the stream for what it missed."""

from __future__ import annotations

import asyncio

import nats

from psynapse_common import messages
from psynapse_common.messages import NodeEvent, NodeEvents, RunEvent
from psynapse_common.nats_io import declare_backbone
from psynapse_common.settings import Settings
from psynapse_gateway.live import LiveReader
from tests.support.graphs import run_async


def _node(run_id: str, node_id: str) -> bytes:
    return messages.encode(
        NodeEvents(run_id=run_id, events=[NodeEvent(node_id=node_id, node_name="op", status="completed")])
    )


async def _read(nats_url: str, run_id: str, before: list[tuple[str, bytes]], after: list[tuple[str, bytes]]):
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    names = (await declare_backbone(js, Settings(nats_url=nats_url))).names
    try:
        for kind, payload in before:  # stored before the reader listens: only the stream has them
            await js.publish(names.event(run_id, kind), payload)
        reader = LiveReader(nc, js, names, run_id)
        await reader.open()
        for kind, payload in after:
            await js.publish(names.event(run_id, kind), payload)
        read: list[tuple[int, bytes]] = []

        async def collect() -> None:
            async for sequence, data in reader.entries():
                read.append((sequence, data))
                if isinstance(messages.event_decoder.decode(data), RunEvent):
                    return

        await asyncio.wait_for(collect(), 10)
        await reader.close()
        return read
    finally:
        await nc.close()


def _run_end(run_id: str) -> bytes:
    return messages.encode(RunEvent(run_id=run_id, status="done"))


def test_events_arrive_live_in_stream_order(nats_server):
    run = "live1"
    after = [("node", _node(run, "a")), ("node", _node(run, "b")), ("run", _run_end(run))]
    read = run_async(_read(nats_server.url, run, [], after))
    assert [data for _, data in read] == [payload for _, payload in after]
    assert [seq for seq, _ in read] == sorted(seq for seq, _ in read)


def test_a_missed_event_is_read_from_the_stream_in_its_place(nats_server):
    run = "live2"
    before = [("node", _node(run, "a"))]  # missed: the next node event shows the gap
    after = [("node", _node(run, "b")), ("run", _run_end(run))]
    read = run_async(_read(nats_server.url, run, before, after))
    assert [data for _, data in read] == [payload for _, payload in before + after]


def test_a_run_that_ended_unseen_is_found_when_it_goes_quiet(nats_server):
    run = "live3"
    before = [("node", _node(run, "a")), ("run", _run_end(run))]  # nothing ever arrives live
    read = run_async(_read(nats_server.url, run, before, []))
    assert [data for _, data in read] == [payload for _, payload in before]
