// Types of the gateway's HTTP API (docs/api.md), read from its OpenAPI document:
// schema.d.ts is generated from it by `make api-types`, and a test fails when the
// committed files are not what the gateway generates (tests/unit/test_api_types.py).
//
// Every answer is the body the document declares for its operation (openapi.ts picks
// it), and its parts are read from that body: no field list is written here, so the
// compiler holds the editor to what the gateway says it sends. What the editor sends
// extends the declared request bodies, narrowed where the editor knows more: the kinds
// of the nodes it draws and where it draws them.
// Server-Sent Events are not in the document: their types are kept by hand.
import type { Item, JsonAnswer, JsonRequest, Schemas } from "./openapi";

// -- the catalog (GET /get_schema, GET /nodepacks) -----------------------------
export type NodeSchema = Item<JsonAnswer<"/get_schema", "get">>;
export type ParamSchema = Item<NodeSchema["params"]>;
export type ReturnSchema = Item<NodeSchema["returns"]>;

export type NodepacksResponse = JsonAnswer<"/nodepacks", "get">;
export type PackReport = Item<NodepacksResponse["packs"]>;
export type PackError = Item<PackReport["errors"]>;
/** A package a pack file needs (PSYNAPSE_REQUIRES) that is not installed: its nodes would fail. */
export type MissingPackage = Item<PackReport["missing"]>;
export type Clash = Item<NodepacksResponse["clashes"]>;

// -- uploaded files (POST /files) ------------------------------------------------
/** An uploaded file, as a Path input holds it: `{"psynapse_file": sha256, "name", "size"}`. */
export type FileRef = Schemas["FileRef"];

// -- running a graph (POST /execute/stream) ------------------------------------
/** A graph as the gateway takes it, from any client (a past run's graph is sent back as it ran). */
export type GraphRequest = JsonRequest<"/execute/stream", "post">;
export type GraphNode = Schemas["GraphNode"];
export type GraphEdge = Schemas["GraphEdge"];

export type NodeKind =
  | "functionNode"
  | "variableNode"
  | "listNode"
  | "viewNode"
  | "ifNode"
  | "switchNode"
  | "subgraphNode"
  | "mapNode"
  | "loopNode";

/** Where the editor draws a node. */
export type Position = { x: number; y: number };

export interface GraphNodePayload extends GraphNode {
  type: NodeKind;
  data: Record<string, unknown>;
  /** Where the node is drawn: kept with the run, so its graph reopens as it was. */
  position: Position;
}

export interface GraphEdgePayload extends GraphEdge {
  sourceHandle: string | null;
  targetHandle: string | null;
}

/** The canvas as the editor runs it; `workflow` names the saved workflow it is (recorded on the run). */
export interface ExecuteRequest extends GraphRequest {
  nodes: GraphNodePayload[];
  edges: GraphEdgePayload[];
}

// -- a run's events (SSE of /execute/stream and /runs/{id}/events; by hand) -----
/**
 * A node event's status: "skipped" is a node on a branch not taken (it never runs, and this is its one event);
 * "retrying" says a failed call is made again (the attempt coming, of how many, after what pause, and why).
 */
export type NodeStatus = "executing" | "progress" | "streaming" | "retrying" | "completed" | "skipped" | "error";

/** One node event of `/execute/stream` or `/runs/{id}/events`. */
export interface NodeEvent {
  node_id: string;
  node_number: number;
  node_name: string;
  status: NodeStatus;
  inputs?: Record<string, unknown>;
  output?: unknown;
  error?: string;
  progress?: number;
  progress_message?: string;
  streaming_text?: string;
  streaming_chunk?: string;
  /** A completed node whose output came from the cache. */
  cached?: boolean;
  /** An error event of a node that never ran: an input failed, or the run was stopped. */
  error_kind?: ErrorKind;
  /** Where a node's own code raised. */
  traceback?: string;
  /** A `retrying` event: the call about to be made, of how many, after what pause (the error says why). */
  attempt?: number;
  max_attempts?: number;
  delay_s?: number;
  /** An end: the calls the node took, when more than one (it was retried). */
  attempts?: number;
}

/** Why a node ended in error without failing itself (upstream, cancelled), or that a call ran too long. */
export type ErrorKind = "upstream" | "cancelled" | "timeout";

/** A function's retry policy, as the schema gives it. */
export type RetryPolicy = NonNullable<NodeSchema["retry"]>;

export interface DoneEvent {
  status: "done";
  results: Record<string, unknown>;
  errors?: Record<string, string>;
}

export interface RunErrorEvent {
  status: "error";
  error: string;
  node_id?: undefined;
}

export type RunEvent = NodeEvent | DoneEvent | RunErrorEvent;

export function isNodeEvent(event: RunEvent): event is NodeEvent {
  return typeof (event as NodeEvent).node_id === "string";
}

// -- runs (GET /runs, GET /runs/{id}, GET /runs/{id}/graph) ----------------------
export type RunList = JsonAnswer<"/runs", "get">;
export type RunSummary = Item<RunList["runs"]>;
/** A run's status in GET /runs and GET /runs/{id}: the words the badge and History show. */
export type RunStatus = RunSummary["status"];

/** GET /runs/{id}: a run's record and its nodes (times are epoch seconds). */
export type RunDetail = JsonAnswer<"/runs/{run_id}", "get">;
export type RunNodeRecord = RunDetail["nodes"][string];

/** GET /runs/{id}/graph: the graph a run ran, to run again or open. */
export type RunGraph = JsonAnswer<"/runs/{run_id}/graph", "get">;

// -- saved workflows (GET/PUT/DELETE /workflows...) ---------------------------
export type WorkflowNode = { id: string; type: NodeKind; position?: Position; data: Record<string, unknown> };
export type WorkflowEdge = { id?: string; source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null };

/** A saved graph: the editor's workflow file without its format version. */
export interface WorkflowBody extends JsonRequest<"/workflows/{name}", "put"> {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  description?: string;
}

export type WorkflowList = JsonAnswer<"/workflows", "get">;
/** A saved workflow: `updated` is its last save's time in ISO-8601 UTC. */
export type WorkflowSummary = Item<WorkflowList["workflows"]>;

/** The answer of a save (PUT /workflows/{name}) and of a restore. */
export type WorkflowSaved = JsonAnswer<"/workflows/{name}", "put">;

/** GET /workflows/{name} and GET /workflows/{name}/versions/{n}: the graph as saved, by any client. */
export type WorkflowRecord = JsonAnswer<"/workflows/{name}", "get">;

export type VersionList = JsonAnswer<"/workflows/{name}/versions", "get">;
export type WorkflowVersion = Item<VersionList["versions"]>;
