"""``psynapse gateway``: the gateway on granian."""

from __future__ import annotations

from granian.constants import Interfaces
from granian.server import Server

from psynapse_common import logs
from psynapse_common.settings import Settings


def main() -> None:
    settings = Settings()
    logs.configure("gateway", settings.log_format, settings.log_level)
    Server(
        "psynapse_gateway.app:create_app",
        address=settings.http_host,
        port=settings.http_port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=1,
        log_enabled=False,
        backlog=2048,
    ).serve()
