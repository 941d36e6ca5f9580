"""Domain errors -> 4xx answers a user can act on; a busy backbone -> 503 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import ServiceUnavailableError

from psynapse_common.graph import GraphError
from psynapse_common.publisher import PublishError
from psynapse_common.sealing import SealError
from psynapse_common.subjects import InvalidSubjectToken, InvalidWorkflowName, check_workflow_name

from .limits import LimitExceeded
from .runs import BackboneUnavailable, RunNotFound
from .workflows import WorkflowInputError, WorkflowNotFound

log = structlog.get_logger()


def _limit(_: Request, exc: LimitExceeded) -> Response:
    return Response({"status_code": exc.status_code, "detail": str(exc)}, status_code=exc.status_code)


def _answer(status: int) -> Callable[[Request, Exception], Response[dict[str, object]]]:
    def handler(_: Request, exc: Exception) -> Response:
        return Response({"status_code": status, "detail": str(exc)}, status_code=status)

    return handler


def _bad_workflow_name(request: Request) -> str | None:
    """Why a /workflows/<name> path matched no route, when its name is the cause.

    A name holding '/' (even as %2F) splits the path, so no route matches it: say
    what is wrong with the name rather than "Not Found".
    """
    raw = request.scope.get("raw_path") or request.scope.get("path", "").encode()
    path = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    prefix = "/workflows/"
    if not path.startswith(prefix):
        return None
    name = unquote(path[len(prefix) :].split("/", 1)[0])
    try:
        check_workflow_name(name)
    except InvalidWorkflowName as exc:
        return str(exc)
    return None


def _http_error(request: Request, exc: HTTPException) -> Response:
    # Always JSON, also on the SSE endpoints (whose success answers are not).
    if exc.status_code == HTTP_404_NOT_FOUND:
        reason = _bad_workflow_name(request)
        if reason is not None:
            return Response({"status_code": HTTP_400_BAD_REQUEST, "detail": reason}, status_code=HTTP_400_BAD_REQUEST)
    body: dict = {"status_code": exc.status_code, "detail": exc.detail}
    if exc.extra:
        body["extra"] = exc.extra
    return Response(body, status_code=exc.status_code, headers=exc.headers, media_type="application/json")


def _backbone_busy(_: Request, exc: Exception) -> Response:
    # A NATS node restarting or a stream electing its leader takes seconds: the
    # client may try again soon, and nothing is wrong with its request.
    log.warning("gateway.nats_unavailable", error=str(exc) or type(exc).__name__)
    detail = f"the message backbone is unavailable (NATS: {str(exc) or type(exc).__name__}); try again shortly"
    return Response({"status_code": 503, "detail": detail}, status_code=503, headers={"Retry-After": "2"})


def exception_handlers() -> dict:
    return {
        HTTPException: _http_error,
        GraphError: _answer(HTTP_400_BAD_REQUEST),
        SealError: _answer(HTTP_400_BAD_REQUEST),
        InvalidSubjectToken: _answer(HTTP_400_BAD_REQUEST),
        RunNotFound: _answer(HTTP_404_NOT_FOUND),
        WorkflowNotFound: _answer(HTTP_404_NOT_FOUND),
        WorkflowInputError: _answer(HTTP_400_BAD_REQUEST),
        LimitExceeded: _limit,
        NatsTimeoutError: _backbone_busy,
        NoRespondersError: _backbone_busy,
        ServiceUnavailableError: _backbone_busy,
        PublishError: _backbone_busy,
        BackboneUnavailable: _backbone_busy,
    }


__all__ = ["HTTPException", "exception_handlers"]
