"""An ASGI app that answers how its request body reached it: for serving through
``psynapse_common.http_server.serve_asgi`` as every HTTP service is served.

    python -m tests.support.asgi_probe PORT
"""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import msgspec

from psynapse_common.http_server import serve_asgi


class BodyProbe:
    def __init__(self) -> None:
        self.state = SimpleNamespace()  # serve_asgi puts its stop event here

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        calls = received = 0
        while True:
            message = await receive()
            calls += 1
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = msgspec.json.encode({"receive_calls": calls, "received": received})
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


if __name__ == "__main__":
    serve_asgi(BodyProbe, "127.0.0.1", int(sys.argv[1]))
