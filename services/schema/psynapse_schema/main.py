"""``psynapse schema``: the schema service."""

from __future__ import annotations

from psynapse_common import logs
from psynapse_common.http_server import serve_asgi
from psynapse_common.settings import Settings

from .app import create_app


def main() -> None:
    settings = Settings()
    logs.configure("schema", settings.log_format, settings.log_level)
    serve_asgi(create_app, settings.http_host, settings.schema_port)
