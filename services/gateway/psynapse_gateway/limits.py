"""Limits on what one client may ask of the gateway, each named in its answer.

The counting lives here; ``guards.py`` applies it to requests.
"""

from __future__ import annotations

from psynapse_common.settings import Settings


class LimitExceeded(ValueError):
    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class Limits:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._in_flight: dict[str, int] = {}

    def check_graph(self, nodes: int, edges: int) -> None:
        """Refuse a graph with more nodes or edges than the settings allow."""
        if nodes > self._settings.max_nodes:
            raise LimitExceeded(f"{nodes} nodes is more than PSYNAPSE_MAX_NODES={self._settings.max_nodes}", 422)
        if edges > self._settings.max_edges:
            raise LimitExceeded(f"{edges} edges is more than PSYNAPSE_MAX_EDGES={self._settings.max_edges}", 422)

    def take(self, client: str) -> None:
        """Count one more run of ``client`` in flight; refuse one past the limit."""
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
