"""Domain errors -> 4xx answers a user can act on; a busy backbone -> 503 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND
from litestar.types import ExceptionHandlersMap
from msgspec import UNSET
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import ServiceUnavailableError

from psynapse_common.graph import GraphError
from psynapse_common.publisher import PublishError
from psynapse_common.sealing import SealError
from psynapse_common.subjects import InvalidSubjectToken, InvalidWorkflowName, check_workflow_name

from .bodies import ErrorBody
from .limits import LimitExceeded
from .records import RunNotFound
from .submitter import BackboneUnavailable
from .workflows import WorkflowInputError, WorkflowNotFound

log = structlog.get_logger()


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    return Response(ErrorBody(status_code=status, detail=detail), status_code=status, headers=headers)


def _limit(_: Request, exc: LimitExceeded) -> Response[ErrorBody]:
    return _error(exc.status_code, str(exc))


def _answer(status: int) -> Callable[[Request, Exception], Response[ErrorBody]]:
    def handler(_: Request, exc: Exception) -> Response[ErrorBody]:
        return _error(status, str(exc))

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


def _http_error(request: Request, exc: HTTPException) -> Response[ErrorBody]:
    # Always JSON, also on the SSE endpoints (whose success answers are not).
    if exc.status_code == HTTP_404_NOT_FOUND:
        reason = _bad_workflow_name(request)
        if reason is not None:
            return _error(HTTP_400_BAD_REQUEST, reason)
    body = ErrorBody(status_code=exc.status_code, detail=exc.detail, extra=exc.extra or UNSET)
    return Response(body, status_code=exc.status_code, headers=exc.headers, media_type="application/json")


def _backbone_busy(_: Request, exc: Exception) -> Response[ErrorBody]:
    # A NATS node restarting or a stream electing its leader takes a moment: the
    # client may try again soon, and nothing is wrong with its request.
    log.warning("gateway.nats_unavailable", error=str(exc) or type(exc).__name__)
    detail = f"the message backbone is unavailable (NATS: {str(exc) or type(exc).__name__}); try again shortly"
    return _error(503, detail, headers={"Retry-After": "2"})


def exception_handlers() -> ExceptionHandlersMap:
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
