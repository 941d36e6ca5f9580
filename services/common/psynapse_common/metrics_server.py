"""``/metrics`` and ``/health`` for the services without an HTTP API (orchestrator, runners).

Prometheus and Kubernetes probes need a port on every pod. The server is the
standard library's WSGI server in a daemon thread, serving prometheus_client's
exposition: it only wakes for a scrape or a probe, so it costs the event loop
nothing. Health is the service's own beat: a beat stored in NATS within the
last ``HEALTHY_WITHIN_S`` means the loop runs and NATS answers. A service may add
figures of its own to the answer (a runner's stuck threads).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

HEALTHY_WITHIN_S = 15.0


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # a probe every few seconds is not news


class MetricsServer:
    def __init__(
        self, host: str, port: int, last_beat: Callable[[], float], details: Callable[[], dict[str, int]] | None = None
    ) -> None:
        self._metrics = make_wsgi_app()
        self._last_beat = last_beat
        self._details = details
        self._server: WSGIServer = make_server(host, port, self._app, handler_class=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/health":
            age = time.time() - self._last_beat()
            healthy = age < HEALTHY_WITHIN_S
            start_response(
                "200 OK" if healthy else "503 Service Unavailable",
                [("Content-Type", "application/json")],
            )
            body: dict[str, object] = {"status": "ok" if healthy else "stale", "last_beat_s": round(age, 1)}
            if self._details is not None:
                body.update(self._details())
            return [json.dumps(body).encode()]
        answer: Iterable[bytes] = self._metrics(environ, start_response)
        return answer


def start_metrics(
    host: str, port: int, last_beat: Callable[[], float], details: Callable[[], dict[str, int]] | None = None
) -> MetricsServer | None:
    """Serve on ``port``; 0 means metrics are off (embedded mode unless asked)."""
    if port <= 0:
        return None
    server = MetricsServer(host, port, last_beat, details)
    server.start()
    return server
