"""Serving through granian as every HTTP service is served (``serve_asgi``): request bodies
reach the app whole, and one whose length is known ends without a needless wait."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from psynapse.embedded.natsd import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def probe_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.support.asgi_probe", str(port)], cwd=ROOT, env=os.environ)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(url, content=b"", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_body_of_known_length_is_read_in_one_receive(probe_url: str) -> None:
    body = b'{"nodes": [], "edges": []}'
    answer = httpx.post(probe_url, content=body).json()
    # granian itself says more_body=True here, which would take a second receive().
    assert answer == {"receive_calls": 1, "received": len(body)}


def test_a_body_in_many_pieces_arrives_whole(probe_url: str) -> None:
    body = os.urandom(3 * 1024 * 1024)
    answer = httpx.post(probe_url, content=body, timeout=30).json()
    assert answer["received"] == len(body)
    assert answer["receive_calls"] > 1


async def test_a_chunked_body_of_unknown_length_arrives_whole(probe_url: str) -> None:
    pieces = [b"a" * 1000, b"b" * 70_000, b"c" * 5]

    async def chunks() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    async with httpx.AsyncClient() as client:
        answer = (await client.post(probe_url, content=chunks())).json()
    assert answer["received"] == sum(map(len, pieces))


def test_an_empty_body_ends_at_once(probe_url: str) -> None:
    assert httpx.post(probe_url, content=b"").json() == {"receive_calls": 1, "received": 0}
