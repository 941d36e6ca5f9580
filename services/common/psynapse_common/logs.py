"""structlog set-up: JSON lines in services, a console renderer in a terminal.

Lines from the standard library's logging (granian, nats-py, litestar) go through
the same processors, so a service's output is one format throughout.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

import msgspec
import structlog

if TYPE_CHECKING:
    from litestar.logging.config import LoggingConfig

# Keys whose values must never reach a log line, whatever a caller binds.
_SECRET_KEYS = {"env_vars", "env", "env_sealed", "secret_key", "password", "token", "api_token"}


def _drop_secrets(_: object, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in _SECRET_KEYS.intersection(event):
        event[key] = "[redacted]"
    return event


_json = msgspec.json.Encoder(enc_hook=str)


def _dumps(event: dict[str, Any], **_: object) -> bytes:
    # msgspec instead of the json module: log lines are written on every run's path.
    return _json.encode(event)


def _dumps_text(event: dict[str, Any], **_: object) -> str:
    # The standard library's handlers write text.
    return _json.encode(event).decode()


def configure(service: str, fmt: str = "auto", level: str = "info") -> None:
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer = structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer(serializer=_dumps)
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_secrets,
    ]
    factory = (
        structlog.PrintLoggerFactory(file=sys.stderr)
        if use_console
        else structlog.BytesLoggerFactory(file=sys.stderr.buffer)
    )
    numeric_level = logging.getLevelName(level.upper())
    _route_stdlib_logging(shared, use_console, numeric_level)
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


def _route_stdlib_logging(shared: list[structlog.typing.Processor], use_console: bool, level: int) -> None:
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared, structlog.processors.format_exc_info],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.dev.ConsoleRenderer()
            if use_console
            else structlog.processors.JSONRenderer(serializer=_dumps_text),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)


def litestar_logging() -> LoggingConfig:
    """Litestar's own logger, handing its lines to the root handler ``configure`` set.

    Litestar's default configures the root logger with its own plain-text format.
    """
    from litestar.logging.config import LoggingConfig

    return LoggingConfig(
        configure_root_logger=False,
        loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}},
    )
