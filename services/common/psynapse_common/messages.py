"""Every message on the wire: msgspec Structs, tagged, encoded as MessagePack.

Values computed by nodes travel as ``msgspec.Raw``: already-encoded codec bytes
that services pass along without decoding (see ``codec``). Fields are only ever
added, with defaults, so old and new services read each other's messages.
"""

from __future__ import annotations

from typing import Any, Literal, Union

import msgspec
from msgspec import Raw, Struct

# MessagePack nil. msgspec cannot decode ``Raw | None``, so "no value" is this.
NIL = Raw(b"\xc0")


class GraphNode(Struct, kw_only=True):
    id: str
    type: str
    data: dict[str, Any] = {}


class GraphEdge(Struct, kw_only=True, rename="camel"):
    source: str
    target: str
    source_handle: str | None = None
    target_handle: str | None = None


class ExecuteRequest(Struct, kw_only=True):
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    env_vars: dict[str, str] | None = None
    cache: bool = True
    # The saved workflow this graph is (the editor sends its open workflow's name).
    workflow: str | None = None


# -- runs ------------------------------------------------------------------
class RunSubmit(Struct, tag="run.submit", kw_only=True):
    run_id: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    # env_vars sealed with the settings' key: only runners open it.
    env_sealed: bytes | None = None
    submitted_at: float = 0.0
    workflow: str | None = None
    cache: bool = True


class RunRecord(Struct, kw_only=True):
    """A run as clients see its status (never env_vars)."""

    run_id: str
    status: Literal["running", "done", "error", "cancelled"]
    started_at: float
    finished_at: float | None = None
    workflow: str | None = None
    node_count: int = 0
    results: dict[str, Raw] = {}
    errors: dict[str, str] = {}
    error: str | None = None


# -- jobs --------------------------------------------------------------------
class JobStep(Struct, kw_only=True):
    node_id: str
    function: str
    inputs: dict[str, Raw] = {}
    # param -> (node id of an earlier step, its output key or None)
    chained: dict[str, tuple[str, str | None]] = {}


class WholeRun(Struct, kw_only=True):
    """A small run handed to one runner entire: built-ins, functions and its final event."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    # The catalog entries of its functions, as the orchestrator planned with them.
    functions: dict[str, "CatalogNode"]
    submitted_at: float = 0.0
    workflow: str | None = None
    # Handed over by the gateway, past the orchestrators: none of them holds the run.
    direct: bool = False


class Job(Struct, tag="job", kw_only=True):
    """A linear chain of function nodes that one runner executes in order, or a whole run."""

    run_id: str
    steps: list[JobStep]
    env_sealed: bytes | None = None
    # The KV revision of the catalog the orchestrator planned with: a runner
    # reloads its code first when it has only seen an older one.
    catalog_revision: int = 0
    whole: WholeRun | None = None


# -- events (PSY_EVENTS: <prefix>.events.<run_id>.<kind>) ---------------------
class NodeEvent(Struct, tag="node", kw_only=True):
    run_id: str
    node_id: str
    node_name: str
    status: Literal["executing", "completed", "error"]
    inputs: dict[str, Raw] = {}
    output: Raw = NIL
    error: str | None = None
    attempt: int = 1
    duration_ms: float | None = None
    cached: bool = False
    # A completed/error event that also stands for the node's executing event:
    # quick nodes (built-ins, inline functions) store one message, not two.
    instant: bool = False


class NodeBatch(Struct, tag="batch", kw_only=True):
    """Several node events stored as one message (quick nodes finish together)."""

    run_id: str
    events: list[NodeEvent]


class ProgressEvent(Struct, tag="progress", kw_only=True):
    run_id: str
    node_id: str
    progress: float
    message: str = ""


class StreamEvent(Struct, tag="stream", kw_only=True):
    run_id: str
    node_id: str
    chunk: str


class RunEvent(Struct, tag="run", kw_only=True):
    run_id: str
    status: Literal["done", "error"]
    results: dict[str, Raw] = {}
    errors: dict[str, str] = {}
    error: str | None = None
    # The last nodes' events, stored with the run's end: one message, not two.
    nodes: list[NodeEvent] = []
    # The run's final event is also its record: GET /runs/{id} reads it back.
    started_at: float = 0.0
    finished_at: float = 0.0
    workflow: str | None = None
    node_count: int = 0


class NodeTiming(Struct, kw_only=True):
    """A node event as the orchestrator reads it in a final event: no values."""

    node_name: str
    status: str
    duration_ms: float | None = None
    cached: bool = False


class RunOutcome(Struct, tag="run", kw_only=True):
    """A final event as the orchestrator reads it: how the run ended, how long its calls took."""

    run_id: str
    status: Literal["done", "error"]
    errors: dict[str, str] = {}
    nodes: list[NodeTiming] = []


Event = Union[NodeEvent, NodeBatch, ProgressEvent, StreamEvent, RunEvent]
# Most parts an SSE event id can carry for one stored message (see the gateway).
MAX_BATCH = 500


# -- catalog (PSY_SCHEMA key "catalog") --------------------------------------
class CatalogNode(Struct, kw_only=True):
    name: str
    kind: Literal["function", "progress", "stream"]
    pack: str
    pool: str = "default"
    params: list[str] = []
    output_keys: list[str] | None = None
    cacheable: bool = True
    # Hash of the node's source and its pack's version (cache keys start from it);
    # "" from an older schema service: such nodes are not cached.
    code_hash: str = ""


class CatalogSnapshot(Struct, kw_only=True):
    revision: int
    schemas: list[dict[str, Any]]
    packs: list[dict[str, Any]]
    clashes: list[dict[str, Any]] = []
    nodes: dict[str, CatalogNode] = {}


class ServiceBeat(Struct, kw_only=True):
    service: str
    instance: str
    pid: int
    started_at: float
    at: float
    pool: str | None = None


_encoder = msgspec.msgpack.Encoder()
encode = _encoder.encode
event_decoder = msgspec.msgpack.Decoder(Event)
run_submit_decoder = msgspec.msgpack.Decoder(RunSubmit)
job_decoder = msgspec.msgpack.Decoder(Job)
node_event_decoder = msgspec.msgpack.Decoder(Union[NodeEvent, NodeBatch])
run_event_decoder = msgspec.msgpack.Decoder(RunEvent)
run_outcome_decoder = msgspec.msgpack.Decoder(RunOutcome)
catalog_decoder = msgspec.msgpack.Decoder(CatalogSnapshot)
beat_decoder = msgspec.msgpack.Decoder(ServiceBeat)
