"""``psynapse schema``: the schema service on granian."""

from __future__ import annotations

from granian.constants import Interfaces
from granian.server import Server

from psynapse_common import logs
from psynapse_common.settings import Settings


def main() -> None:
    settings = Settings()
    logs.configure("schema", settings.log_format, settings.log_level)
    Server(
        "psynapse_schema.app:create_app",
        address=settings.http_host,
        port=settings.schema_port,
        interface=Interfaces.ASGI,
        factory=True,
        workers=1,
        log_enabled=False,
    ).serve()
