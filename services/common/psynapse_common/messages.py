"""Every message on the wire: msgspec Structs, tagged, encoded as MessagePack.

Values computed by nodes travel as ``msgspec.Raw``: already-encoded codec bytes
that services pass along without decoding (see ``codec``). Fields are only ever
added, with defaults, so old and new services read each other's messages.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Raw, Struct

# MessagePack nil. msgspec cannot decode ``Raw | None``, so "no value" is this.
NIL = Raw(b"\xc0")


class GraphNode(Struct, kw_only=True):
    id: str
    type: str
    data: dict[str, Any] = {}
    # Where the editor drew it ({"x", "y"}): nothing runs on it, but a past run's
    # graph keeps it, so the editor can open that graph as it was drawn.
    position: dict[str, Any] | None = None


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
    # A partial run: only these nodes and their ancestors run (None: the whole graph).
    targets: list[str] | None = None
    # The run fails once it has run this long (its unfinished nodes cancelled); None: no limit.
    timeout_s: Annotated[float, msgspec.Meta(gt=0)] | None = None


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
    # A partial run's targets: the orchestrator plans only them and their ancestors.
    # The graph above stays whole: the run's record keeps it as the client sent it.
    targets: list[str] | None = None
    timeout_s: float | None = None


class RunRecord(Struct, kw_only=True):
    """A run as clients see its status (never env_vars)."""

    run_id: str
    # The run-level words the editor's badge and history use too (``run_status``).
    status: RunStatus
    started_at: float
    finished_at: float | None = None
    workflow: str | None = None
    node_count: int = 0
    results: dict[str, Raw] = {}
    errors: dict[str, str] = {}
    error: str | None = None


# -- jobs ------------------------------------------------------------------
class RetryOverride(Struct, kw_only=True, omit_defaults=True):
    """A node's own retry settings (its ``data.retry``), over its function's policy."""

    times: int | None = None
    backoff_s: float | None = None
    max_backoff_s: float | None = None


class Step(Struct, kw_only=True, omit_defaults=True):
    """One node of a segment, as its runner needs it."""

    node_id: str
    node_type: str  # the graph node's type: functionNode, variableNode, listNode, viewNode
    node_name: str  # what its events call it: the function's name, or Variable, List, View
    data: dict[str, Any] = {}  # a built-in's settings (a variable's value and format)
    # Values known when the job was made: given in the graph, or outputs of other segments.
    inputs: dict[str, Raw] = {}
    # param -> (an earlier step of this job, its output key or None)
    wires: dict[str, tuple[str, str | None]] = {}
    # Params among ``inputs`` that came along a wire from another segment (the rest are
    # the node's own values): with ``wires``, what may arrive untaken (skipped).
    fed: list[str] = []
    # Functions: the catalog's code hash ("" when its output must not be cached),
    # whether to look it up in the output cache and store it there, and whether its
    # calls are known to be quick (the runner calls it on its event loop).
    code_hash: str = ""
    cache: bool = False
    quick: bool = False
    # A function node's own retry and timeout settings, over its function's
    # (``timeout_s`` 0: none, whatever the function says).
    retry: RetryOverride | None = None
    timeout_s: float | None = None


class Job(Struct, tag="job", kw_only=True):
    """A segment: nodes one runner executes in order (a slow node, a chain, a whole small run)."""

    run_id: str
    steps: list[Step]
    env_sealed: bytes | None = None
    # The KV revision of the catalog the orchestrator planned with: a runner
    # reloads its code first when it has only seen an older one.
    catalog_revision: int = 0


# -- events (PSY_EVENTS: <prefix>.events.<run_id>.<kind>) ---------------------
NodeStatus = Literal["executing", "retrying", "completed", "skipped", "error"]
# Statuses that say a node is under way; the others end it.
UNDER_WAY = ("executing", "retrying")
RunStatus = Literal["running", "done", "failed", "cancelled"]


class NodeEvent(Struct, kw_only=True, omit_defaults=True):
    node_id: str
    node_name: str
    status: NodeStatus
    inputs: dict[str, Raw] = {}
    output: Raw = NIL
    error: str | None = None
    # Where the node's own code raised (its frames only, secrets scrubbed).
    traceback: str | None = None
    # How many times its job was delivered (a runner that died leaves it to another).
    attempt: int = 1
    duration_ms: float | None = None
    cached: bool = False
    # Calls of the node (its retries): on a "retrying" event the call about to be
    # made, of ``max_tries``, after ``delay_s``; on its end the calls it took (0: one).
    tries: int = 0
    max_tries: int = 0
    delay_s: float | None = None
    # Ended because a call ran longer than its timeout.
    timed_out: bool = False


class NodeEvents(Struct, tag="nodes", kw_only=True):
    """One or more node events, stored as one message.

    A node whose end comes without an ``executing`` event before it started and
    ended at once (a quick node, a cache hit, a dependant of a failure): readers
    show it starting with the inputs its end carries.
    """

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
    # The run's final event is also its record: GET /runs/{id} reads it back.
    started_at: float = 0.0
    finished_at: float = 0.0
    workflow: str | None = None
    node_count: int = 0
    # The graph that ran ({"nodes", "edges"}, and a partial run's "targets"; never
    # env_vars), so a past run can be opened or run again as it was: see
    # ``encode_graph``. A large graph is a reference into the object store, like a
    # large value. NIL for older runs.
    graph: Raw = NIL


Event = NodeEvents | ProgressEvent | StreamEvent | RunEvent
# Most node events one message carries (an SSE event id spans one message's events).
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
    # The bounds of its inputs (JSON Schema keywords, see constraints), by parameter:
    # the gateway checks the values a graph gives before anything runs.
    constraints: dict[str, dict[str, int | float]] = {}


class CatalogSnapshot(Struct, kw_only=True):
    revision: int
    schemas: list[dict[str, Any]]
    packs: list[dict[str, Any]]
    clashes: list[dict[str, Any]] = []
    nodes: dict[str, CatalogNode] = {}
    # Which load of the code this catalog comes from (when the schema service loaded it, in
    # ns): a catalog published only to merge in what a pool's runners published (or which
    # pools have runners) keeps it, and runners load the code again only when it changes.
    # 0 (an older schema service): always.
    code_load: int = 0


class PoolCatalog(Struct, kw_only=True):
    """What the runners of a pool with its own Python environment loaded there: the nodes
    of their pool, introspected in that environment, and every pack's report as it loaded
    there. The schema service serves these nodes instead of its own view of them."""

    pool: str
    python: str  # the runner's interpreter
    python_version: str
    nodes: dict[str, CatalogNode] = {}
    schemas: dict[str, dict[str, Any]] = {}
    packs: list[dict[str, Any]] = []


class ServiceBeat(Struct, kw_only=True):
    service: str
    instance: str
    pid: int
    started_at: float
    at: float
    pool: str | None = None
    # Runners: threads of node calls that timed out and still run.
    stuck_threads: int = 0


_encoder = msgspec.msgpack.Encoder()
encode = _encoder.encode


def encode_graph(nodes: list[GraphNode], edges: list[GraphEdge], targets: list[str] | None = None) -> Raw:
    """A run's graph as its final event keeps it: what the editor would send again (a
    partial run's with its targets, so it can be run again as it ran)."""
    graph: dict[str, Any] = {"nodes": nodes, "edges": edges}
    if targets is not None:
        graph["targets"] = targets
    return Raw(encode(graph))


event_decoder = msgspec.msgpack.Decoder(Event)
pool_catalog_decoder = msgspec.msgpack.Decoder(PoolCatalog)
run_submit_decoder = msgspec.msgpack.Decoder(RunSubmit)
job_decoder = msgspec.msgpack.Decoder(Job)
node_events_decoder = msgspec.msgpack.Decoder(NodeEvents)
run_event_decoder = msgspec.msgpack.Decoder(RunEvent)
catalog_decoder = msgspec.msgpack.Decoder(CatalogSnapshot)
beat_decoder = msgspec.msgpack.Decoder(ServiceBeat)
