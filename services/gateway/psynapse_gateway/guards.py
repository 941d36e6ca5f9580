"""The limits applied to requests: a graph too large and a client with too many runs in
flight are refused before a handler runs, each with the limit's name in the answer.

Handlers say what they take with their ``opt``: ``GRAPH_BODY`` (the body is a graph
of nodes and edges), ``STARTS_RUN`` (the request starts a run). The guard sits after
the token guard, so a client without the token learns nothing about limits.

A run holds its client's slot until its answer has been sent: for a stream, until the
run's last event, or until the client leaves. A guard cannot see that moment, so the
guard takes the slot and a middleware around the route gives it back as the answer's
last bytes go out (or when the route is done, whatever happened in between).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .limits import Limits

_GRAPH_BODY = "graph_body"
_STARTS_RUN = "starts_run"
# A handler's opt: what its request is.
GRAPH_BODY: dict[str, Any] = {_GRAPH_BODY: True}
STARTS_RUN: dict[str, Any] = {_STARTS_RUN: True}

_SLOT = "psynapse.run_slot"


class _Sizes(msgspec.Struct):
    """Only the counts: the items are skipped, not built."""

    nodes: list[msgspec.Raw] = []
    edges: list[msgspec.Raw] = []


_sizes = msgspec.json.Decoder(_Sizes)


def client_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    return connection.client.host if connection.client else "unknown"


class _Slot:
    """The run slot of one request: taken by the guard, given back once."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._client: str | None = None

    def take(self, client: str) -> None:
        self._limits.take(client)
        self._client = client

    def give_back(self) -> None:
        if self._client is not None:
            self._limits.give_back(self._client)
            self._client = None


class RunSlots(ASGIMiddleware):
    """Per-client runs in flight: ``take`` (called by the guard) takes a slot, the middleware gives it back."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits

    def take(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        slot = connection.scope.get("state", {}).get(_SLOT)
        if not isinstance(slot, _Slot):
            raise RuntimeError("the run slot guard needs the RunSlots middleware on the same routes")
        slot.take(client_of(connection))

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if not scope["route_handler"].opt.get(_STARTS_RUN):
            await next_app(scope, receive, send)
            return
        slot = _Slot(self._limits)
        scope.setdefault("state", {})[_SLOT] = slot

        async def send_then_free(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                # Before the answer's last bytes leave: a client that has seen its answer
                # end may start its next run at once.
                slot.give_back()
            await send(message)

        try:
            await next_app(scope, receive, send_then_free)
        finally:
            slot.give_back()  # a client that left, or no answer at all


class RequestLimits:
    """The limits' one guard (Litestar copies the route handler for every guard it calls):
    a graph with more nodes or edges than the settings allow is refused (422) before it
    is parsed; a request that starts a run takes its client's run slot (429 past the limit)."""

    def __init__(self, limits: Limits, slots: RunSlots) -> None:
        self._limits = limits
        self._slots = slots

    async def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if handler.opt.get(_GRAPH_BODY) and isinstance(connection, Request):
            await self._check_graph(connection)
        if handler.opt.get(_STARTS_RUN):
            self._slots.take(connection)

    async def _check_graph(self, request: Request[Any, Any, Any]) -> None:
        # The body is read once: the handler's own parsing reuses these bytes.
        try:
            sizes = _sizes.decode(await request.body())
        except msgspec.DecodeError:
            return  # not a graph at all: the handler's parsing says what is wrong
        self._limits.check_graph(len(sizes.nodes), len(sizes.edges))
