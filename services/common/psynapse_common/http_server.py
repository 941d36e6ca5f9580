"""Serving a service's ASGI app with granian, on the service's own event loop.

granian's embedded server: its Rust runtime does the sockets and HTTP/1 parsing on
its own thread and hands each request to our loop (uvloop, set up by
``service.run``), where the NATS connection and everything else lives; one
process per service, as for every other service, stopped by our own signals.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.server.embed import Server

from .lifecycle import run

# What every HTTP service is served with; the bench's in-process baseline uses the
# same, so its figures differ from ours only in how a graph runs.
SERVER_OPTIONS: dict[str, Any] = {
    "interface": Interfaces.ASGI,
    "http": HTTPModes.http1,  # browsers and the CLI speak HTTP/1.1 to us; h2 only costs
    "websockets": False,
    "runtime_threads": 1,  # the machine's other core belongs to the other services
    "backlog": 2048,
    # Requests a loop takes on before the runtime waits: bounded, so a flood queues in
    # the runtime instead of piling up tasks on the loop.
    "backpressure": 512,
    "http1_settings": HTTP1Settings(keep_alive=True),
    # Our own logging (logs.configure) renders granian's lines like every other.
    "log_dictconfig": {"loggers": {"_granian": {"propagate": True}, "granian.access": {"propagate": True}}},
}


def ended_bodies(app: Any) -> Any:
    """``app``, told that a request's body has ended as soon as its Content-Length has arrived.

    granian answers every ``receive()`` with ``more_body=True`` while the body can
    still be read, so an app asks once more only to hear that nothing follows. Each
    ``receive()`` crosses from our loop to granian's runtime thread and back, and
    under load it waits behind every other request's turn there: the second one
    cost ~0.1 ms of gateway CPU per run (``bench/cpu_split.py``), for a body already whole.
    """

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        length = _content_length(scope) if scope["type"] == "http" else None
        if length is None:
            await app(scope, receive, send)
            return
        left = length

        async def receive_body() -> Any:
            nonlocal left
            message = await receive()
            if message["type"] == "http.request" and message.get("more_body"):
                left -= len(message.get("body", b""))
                if left <= 0:
                    message = {**message, "more_body": False}
            return message

        await app(scope, receive_body, send)

    return asgi


def _content_length(scope: Any) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def serve_asgi(factory: Callable[[], Any], host: str, port: int) -> None:
    """Serve an ASGI app factory until SIGTERM/SIGINT (``service.run`` owns them)."""

    async def main(stop: asyncio.Event) -> None:
        app = factory()
        # Long-lived responses (SSE) end when this is set, so they never hold a stop up.
        app.state.stopping = stop
        server = Server(ended_bodies(app), address=host, port=port, **SERVER_OPTIONS)
        serving = asyncio.create_task(server.serve())
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if serving in done:
            stopped.cancel()
            try:
                serving.result()
            except RuntimeError as exc:  # granian's own errors (address in use, ...) are RuntimeErrors
                # The first line; the rest is a Rust backtrace.
                reason = str(exc).splitlines()[0]
                raise SystemExit(f"could not serve HTTP on {host}:{port}: {reason}") from None
            raise SystemExit(f"stopped serving HTTP on {host}:{port}")
        server.stop()
        await serving

    run(main)
