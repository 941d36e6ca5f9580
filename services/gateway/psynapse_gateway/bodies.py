"""What the gateway answers, as msgspec Structs: Litestar encodes them and the OpenAPI
document (``/schema``) is generated from them.

Field order is the order clients have always received. A field that is sometimes left
out of an answer (rather than sent as null) is ``X | UnsetType = UNSET``: msgspec omits
it, and the OpenAPI document lists it as not required. SSE events are not here: they are
the spec's objects, built by the translator (``translator.py``).
"""

from __future__ import annotations

from typing import Any, Literal

from msgspec import UNSET, Struct, UnsetType

from psynapse_common.messages import GraphEdge, GraphNode, NodeStatus, RunStatus

# -- errors and the root -----------------------------------------------------------


class ErrorBody(Struct, kw_only=True):
    """Every 4xx and 5xx answer (also on the SSE endpoints)."""

    status_code: int
    detail: str
    # Litestar's own validation errors say which field was wrong.
    extra: Any | UnsetType = UNSET


class ApiRoot(Struct, kw_only=True):
    message: str


# -- running a graph -----------------------------------------------------------------


class ExecuteResponse(Struct, kw_only=True):
    """``POST /execute``'s answer: the spec's ``{"results": {view_id: value}}``, and beside
    it ``errors`` when a node failed and ``error`` when the run itself did."""

    results: dict[str, Any]
    errors: dict[str, str] | UnsetType = UNSET
    error: str | None | UnsetType = UNSET


class CancelAccepted(Struct, kw_only=True):
    run_id: str
    status: Literal["cancelling"] = "cancelling"


# -- run history -------------------------------------------------------------------


class RunSummary(Struct, kw_only=True):
    """One run of ``GET /runs``; a running run has no ``finished_at`` nor ``duration_ms`` yet."""

    run_id: str
    workflow: str | None
    status: RunStatus
    started_at: float
    finished_at: float | None
    duration_ms: float | None
    node_count: int


class RunList(Struct, kw_only=True):
    runs: list[RunSummary]


class NodeRetry(Struct, kw_only=True):
    """A call of a node that failed and was made again: the attempt that followed it."""

    attempt: int  # the number of the call made after it (2 for the first retry)
    error: str
    delay_s: float


class RunNodeRecord(Struct, kw_only=True):
    """One node of a run, folded from its events."""

    node_name: str
    status: NodeStatus = "executing"
    duration_ms: float | None = None
    inputs: dict[str, Any] = {}
    output: Any = None
    error: str | None = None
    # "upstream" (an input failed, so it never ran), "cancelled", "timeout" (a call ran
    # past its timeout), or null: its own failure.
    error_kind: str | None = None
    traceback: str | None = None
    cached: bool = False
    # Calls made of it (its retries): 1 unless a call failed and was made again.
    attempts: int = 1
    retries: list[NodeRetry] = []


class RunDetail(Struct, kw_only=True):
    """``GET /runs/{id}``: a run's record and its nodes."""

    run_id: str
    status: RunStatus
    workflow: str | None
    started_at: float
    finished_at: float | None
    duration_ms: float | None
    node_count: int
    results: dict[str, Any]
    errors: dict[str, str]
    error: str | None
    nodes: dict[str, RunNodeRecord]


class RunGraph(Struct, kw_only=True):
    """``GET /runs/{id}/graph``: the graph a run ran, as ``/execute`` takes it: the whole
    graph, and for a partial run the targets it ran to (left out when it ran all of it)."""

    run_id: str
    workflow: str | None
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    targets: list[str] | UnsetType = UNSET


# -- saved workflows -----------------------------------------------------------------


class WorkflowBody(Struct, kw_only=True, omit_defaults=True):
    """A saved graph, as the editor sends it (node positions and all); stored as sent."""

    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    description: str | None = None


class WorkflowSaved(Struct, kw_only=True):
    """A save (or a restore): the version it made. ``updated`` is ISO-8601 UTC."""

    name: str
    version: int
    updated: str


class WorkflowRecord(WorkflowSaved, kw_only=True):
    """A version of a workflow, with its graph."""

    workflow: WorkflowBody


class WorkflowSummary(Struct, kw_only=True):
    name: str
    updated: str
    versions: int


class WorkflowList(Struct, kw_only=True):
    workflows: list[WorkflowSummary]


class WorkflowVersion(Struct, kw_only=True):
    version: int
    updated: str


class WorkflowVersions(Struct, kw_only=True):
    """A workflow's versions, newest first."""

    name: str
    versions: list[WorkflowVersion]


# -- health ----------------------------------------------------------------------------


class ServiceInstance(Struct, kw_only=True):
    instance: str
    pid: int
    # Runners say which pool they serve, and how many of their threads are stuck
    # (calls that timed out and still run).
    pool: str | UnsetType = UNSET
    stuck_threads: int | UnsetType = UNSET


class PoolQueue(Struct, kw_only=True):
    """A runner pool: live runners, jobs waiting for one, jobs a runner holds."""

    consumers: int
    pending: int
    in_flight: int


class Health(Struct, kw_only=True):
    status: Literal["ok", "degraded"]
    nats: bool
    catalog_revision: int
    services: dict[str, list[ServiceInstance]]
    pools: dict[str, PoolQueue]
    # Why ``pools`` is empty when JetStream could not say (busy, electing a leader).
    pools_error: str | UnsetType = UNSET


# -- the catalog (served as the schema service publishes it; these describe it) -------------


class Constraints(Struct, kw_only=True, omit_defaults=True):
    """Bounds of an input (``Annotated[int, Ge(0), Le(100)]``), as JSON Schema keywords;
    lengths are those of a text or a list."""

    minimum: float | UnsetType = UNSET
    maximum: float | UnsetType = UNSET
    exclusiveMinimum: float | UnsetType = UNSET
    exclusiveMaximum: float | UnsetType = UNSET
    multipleOf: float | UnsetType = UNSET
    minLength: int | UnsetType = UNSET
    maxLength: int | UnsetType = UNSET


class ParamSchema(Struct, kw_only=True):
    name: str
    type: str
    default: Any | UnsetType = UNSET
    literal_values: list[Any] | UnsetType = UNSET
    # Only for inputs with bounds: a value outside them is refused before the run.
    constraints: Constraints | UnsetType = UNSET
    # Only for rich types (an Enum, a Literal, a dataclass, a TypedDict, a Pydantic model, a
    # value with bounds): their JSON Schema, bounds included, that the editor draws a form
    # from; an image or an array says so with "x-psynapse": "image" | "ndarray".
    json_schema: dict[str, Any] | UnsetType = UNSET


class ReturnSchema(Struct, kw_only=True):
    """An output; its name is its handle id (``output`` for a single one)."""

    name: str
    type: str
    # As a parameter's: only for rich types.
    json_schema: dict[str, Any] | UnsetType = UNSET


class NodeSchema(Struct, kw_only=True):
    """A node of ``GET /get_schema`` (spec §1)."""

    name: str
    params: list[ParamSchema]
    returns: list[ReturnSchema]
    docstring: str
    filepath: str
    nodepack: str
    is_progress_node: bool
    is_stream_node: bool
    # Only for nodes of another pool than "default".
    pool: str | UnsetType = UNSET
    # Only for functions with a retry policy (``@retry`` or their file's ``PSYNAPSE_RETRY``).
    retry: RetryPolicy | UnsetType = UNSET
    # Only for functions with a timeout (``@timeout`` or their file's ``PSYNAPSE_TIMEOUT_S``).
    timeout_s: float | UnsetType = UNSET


class RetryPolicy(Struct, kw_only=True):
    """How often a function is called again when it raises, and how long it waits between."""

    times: int  # attempts in all, the first included
    backoff_s: float
    max_backoff_s: float
    on: list[str]  # exception names: builtins bare (TimeoutError), others module.Name


class PackError(Struct, kw_only=True):
    file: str
    line: int | None
    message: str
    # Set when the error comes from a pool's own environment (its runners loaded the pack there).
    pool: str | UnsetType = UNSET


class MissingPackage(Struct, kw_only=True):
    """A package a pack file needs (``PSYNAPSE_REQUIRES``) that is not installed in the
    environment of ``pool`` (the pool's own, or the services' when it has none)."""

    module: str
    install: str
    file: str
    nodes: list[str]
    pool: str


class MissingPool(Struct, kw_only=True):
    """A pool some of the pack's nodes run on that no live runner takes: they would wait."""

    pool: str
    nodes: list[str]


class PackReport(Struct, kw_only=True):
    name: str
    # The pack's folder: in the nodepacks folder, or an installed package's.
    path: str
    status: Literal["ok", "error"]
    errors: list[PackError]
    nodes: list[str]
    missing: list[MissingPackage]
    # A folder of the nodepacks folder, or an installed distribution's
    # ``psynapse.nodepacks`` entry point (then the distribution's name and version).
    source: Literal["folder", "package"]
    distribution: str | None
    version: str | None
    # The pools its nodes run on.
    pools: list[str]
    # The pools whose own Python environments introspected it (their runners published
    # it; ``psynapse runner --python``); empty: the schema service's environment did.
    environments: list[str]
    missing_pools: list[MissingPool]


class Clash(Struct, kw_only=True):
    """Two packs defining one name: the later one is listed as ``pack.name``. Between two
    pools' environments (``pools`` set), the first pool's node is kept, the other not listed."""

    name: str
    packs: list[str]
    listed_as: list[str]
    pools: list[str] | UnsetType = UNSET


class NodepacksResponse(Struct, kw_only=True):
    packs: list[PackReport]
    clashes: list[Clash]


class NodepacksReloaded(Struct, kw_only=True):
    """``POST /nodepacks/reload``: the catalog the schema service published."""

    revision: int
    packs: list[PackReport]
    clashes: list[Clash]


class CatalogRevision(Struct, kw_only=True):
    """The data of a ``GET /catalog/events`` event."""

    revision: int
