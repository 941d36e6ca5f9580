"""Optional bearer-token protection of the API (PSYNAPSE_API_TOKEN)."""

from __future__ import annotations

import hmac

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard


def token_guard(token: str | None) -> list[Guard]:
    """A guard for every API route when a token is set; none otherwise.

    The editor's files, ``GET /`` and ``/health`` stay open so a browser can load
    the editor and ask for the token.
    """
    if not token:
        return []
    expected = token.encode()

    # Async: litestar hands a sync guard to a worker thread on every request.
    async def require_token(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        header = connection.headers.get("authorization", "")
        # EventSource cannot send headers; SSE clients may pass ?access_token=.
        given = header[7:] if header.lower().startswith("bearer ") else connection.query_params.get("access_token", "")
        if not hmac.compare_digest(given.encode(), expected):
            raise NotAuthorizedException("a valid 'Authorization: Bearer <token>' header is required")

    return [require_token]
