"""The keys of the API's answers, in the spec's order, for the tests that check shapes."""

from __future__ import annotations

# A function's schema (GET /get_schema, and the SDK's introspection).
SCHEMA_KEYS = [
    "name",
    "params",
    "returns",
    "docstring",
    "filepath",
    "nodepack",
    "is_progress_node",
    "is_stream_node",
]

# A node of a run's record (GET /runs/{id}).
RUN_NODE_KEYS = [
    "node_name",
    "status",
    "duration_ms",
    "inputs",
    "output",
    "error",
    "error_kind",
    "traceback",
    "cached",
    "attempts",
    "retries",
]
