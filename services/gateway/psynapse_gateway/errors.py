"""Domain errors -> 4xx answers a user can act on."""

from __future__ import annotations

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_404_NOT_FOUND

from psynapse_common.graph import GraphError
from psynapse_common.sealing import SealError
from psynapse_common.subjects import InvalidSubjectToken

from .limits import LimitExceeded
from .runs import RunNotFound


def _limit(_: Request, exc: LimitExceeded) -> Response:
    return Response({"status_code": exc.status_code, "detail": str(exc)}, status_code=exc.status_code)


def _answer(status: int):  # type: ignore[no-untyped-def]
    def handler(_: Request, exc: Exception) -> Response:
        return Response({"status_code": status, "detail": str(exc)}, status_code=status)

    return handler


def _http_error(_: Request, exc: HTTPException) -> Response:
    # Always JSON, also on the SSE endpoints (whose success answers are not).
    body: dict = {"status_code": exc.status_code, "detail": exc.detail}
    if exc.extra:
        body["extra"] = exc.extra
    return Response(body, status_code=exc.status_code, headers=exc.headers, media_type="application/json")


def exception_handlers() -> dict:
    return {
        HTTPException: _http_error,
        GraphError: _answer(HTTP_400_BAD_REQUEST),
        SealError: _answer(HTTP_400_BAD_REQUEST),
        InvalidSubjectToken: _answer(HTTP_400_BAD_REQUEST),
        RunNotFound: _answer(HTTP_404_NOT_FOUND),
        LimitExceeded: _limit,
    }


__all__ = ["HTTPException", "exception_handlers"]
