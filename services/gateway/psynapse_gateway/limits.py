"""Limits on what one client may ask of the gateway, each named in its answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import TypeVar

from psynapse_common.messages import ExecuteRequest
from psynapse_common.settings import Settings

T = TypeVar("T")


class LimitExceeded(ValueError):
    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class Limits:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._in_flight: dict[str, int] = {}

    def check_graph(self, request: ExecuteRequest) -> None:
        if len(request.nodes) > self._settings.max_nodes:
            raise LimitExceeded(
                f"{len(request.nodes)} nodes is more than PSYNAPSE_MAX_NODES={self._settings.max_nodes}", 422
            )
        if len(request.edges) > self._settings.max_edges:
            raise LimitExceeded(
                f"{len(request.edges)} edges is more than PSYNAPSE_MAX_EDGES={self._settings.max_edges}", 422
            )

    @contextmanager
    def run_slot(self, client: str) -> Iterator[None]:
        """Count a client's runs in flight; refuse one past the limit."""
        self.take(client)
        try:
            yield
        finally:
            self.give_back(client)

    def take(self, client: str) -> None:
        count = self._in_flight.get(client, 0)
        if count >= self._settings.max_runs_per_client:
            raise LimitExceeded(
                f"{count} runs of this client are in flight; "
                f"PSYNAPSE_MAX_RUNS_PER_CLIENT={self._settings.max_runs_per_client}",
                429,
            )
        self._in_flight[client] = count + 1

    def give_back(self, client: str) -> None:
        count = self._in_flight.get(client, 1) - 1
        if count:
            self._in_flight[client] = count
        else:
            self._in_flight.pop(client, None)

    async def hold_while(self, client: str, events: AsyncIterator[T]) -> AsyncIterator[T]:
        """A stream's slot is held until the stream ends or its client leaves."""
        try:
            async for item in events:
                yield item
        finally:
            self.give_back(client)
