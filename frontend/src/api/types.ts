// Types of the gateway's HTTP API (docs/api.md), built on its OpenAPI document:
// schema.d.ts is generated from it by `make api-types`, and a test fails when the
// committed files are not what the gateway generates (tests/unit/test_api_types.py).
//
// Each body type here extends what the document declares for it, so the compiler
// checks the editor's reading against the gateway's: it narrows where the editor
// knows more (a node's kind, a run's status words) and spells out the fields of
// answers the document declares only as "an object" so far. Item types of lists
// are `type`s, as the lists they sit in are declared as lists of plain objects.
// Server-Sent Events are not in the document: their types are kept by hand.
import type { Item, JsonAnswer, JsonRequest, Schemas } from "./openapi";

// -- the catalog (GET /get_schema, GET /nodepacks) -----------------------------
export interface ParamSchema {
  name: string;
  type: string;
  default?: unknown;
  literal_values?: unknown[];
}

export interface ReturnSchema {
  name: string;
  type: string;
}

export interface NodeSchema extends Item<JsonAnswer<"/get_schema", "get">> {
  name: string;
  params: ParamSchema[];
  returns: ReturnSchema[];
  docstring?: string | null;
  filepath?: string;
  nodepack?: string;
  is_progress_node?: boolean;
  is_stream_node?: boolean;
}

export interface PackError {
  file: string;
  line: number | null;
  message: string;
}

export interface MissingPackage {
  module: string;
  /** How to install it, e.g. pip install 'psynapse[llm]'. */
  install: string;
  file: string;
  nodes: string[];
}

export type PackReport = {
  name: string;
  path: string;
  status: "ok" | "error";
  errors: PackError[];
  nodes: string[];
  /** Packages a pack file needs (PSYNAPSE_REQUIRES) that are not installed: its nodes would fail. */
  missing?: MissingPackage[];
};

export type Clash = {
  name: string;
  packs: string[];
  listed_as: string[];
};

export interface NodepacksResponse extends JsonAnswer<"/nodepacks", "get"> {
  packs: PackReport[];
  clashes: Clash[];
}

// -- running a graph (POST /execute/stream) ------------------------------------
export type NodeKind = "functionNode" | "variableNode" | "listNode" | "viewNode";

type GraphNode = Schemas["GraphNode"];
type GraphEdge = Schemas["GraphEdge"];

export interface GraphNodePayload extends GraphNode {
  type: NodeKind;
  data: Record<string, unknown>;
  /** Where the node is drawn: kept with the run, so its graph reopens as it was. */
  position?: { x: number; y: number };
}

export interface GraphEdgePayload extends GraphEdge {
  sourceHandle: string | null;
  targetHandle: string | null;
}

/** A run's graph; `workflow` names the saved workflow it is (recorded on the run). */
export interface ExecuteRequest extends JsonRequest<"/execute/stream", "post"> {
  nodes: GraphNodePayload[];
  edges: GraphEdgePayload[];
}

// -- a run's events (SSE of /execute/stream and /runs/{id}/events; by hand) -----
export type NodeStatus = "executing" | "progress" | "streaming" | "completed" | "error";

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
}

export type ErrorKind = "upstream" | "cancelled";

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
/** A run's status in GET /runs and GET /runs/{id}: the words the badge and History show. */
export type RunStatus = "running" | "done" | "failed" | "cancelled";

/** What following a run asks of GET /runs/{id}. */
export interface RunRecord extends JsonAnswer<"/runs/{run_id}", "get"> {
  run_id: string;
  status: RunStatus;
  results: Record<string, unknown>;
  errors: Record<string, string>;
}

export type RunSummary = {
  run_id: string;
  workflow: string | null;
  status: RunStatus;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  node_count: number | null;
};

export interface RunList extends JsonAnswer<"/runs", "get"> {
  runs: RunSummary[];
}

export interface RunNodeRecord {
  node_name: string;
  status: NodeStatus;
  duration_ms?: number | null;
  inputs?: Record<string, unknown>;
  output?: unknown;
  error?: string | null;
  error_kind?: ErrorKind | null;
  traceback?: string | null;
  cached?: boolean;
}

export interface RunDetail extends RunRecord, RunSummary {
  error?: string | null;
  nodes?: Record<string, RunNodeRecord>;
}

/** GET /runs/{id}/graph: the graph a run ran, to run again or open. */
export interface RunGraph extends JsonAnswer<"/runs/{run_id}/graph", "get"> {
  run_id: string;
  workflow: string | null;
  nodes: GraphNodePayload[];
  edges: GraphEdgePayload[];
}

// -- saved workflows (GET/PUT/DELETE /workflows...) ---------------------------
export type WorkflowNode = { id: string; type: NodeKind; position?: { x: number; y: number }; data: Record<string, unknown> };
export type WorkflowEdge = { id?: string; source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null };

/** A saved graph: the editor's workflow file without its format version. */
export interface WorkflowBody extends JsonRequest<"/workflows/{name}", "put"> {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  description?: string;
}

/** Times are epoch seconds (ISO strings are accepted too). */
export type Timestamp = number | string;

export type WorkflowSummary = {
  name: string;
  updated: Timestamp;
  versions: number;
};

export interface WorkflowList extends JsonAnswer<"/workflows", "get"> {
  workflows: WorkflowSummary[];
}

/** The answer of a save (PUT /workflows/{name}) and of a restore. */
export interface WorkflowSaved extends JsonAnswer<"/workflows/{name}", "put"> {
  name: string;
  version: number;
  updated: Timestamp;
}

/** GET /workflows/{name} and GET /workflows/{name}/versions/{n}. */
export interface WorkflowRecord extends JsonAnswer<"/workflows/{name}", "get"> {
  name: string;
  version: number;
  updated: Timestamp;
  workflow: WorkflowBody;
}

export type WorkflowVersion = {
  version: number;
  updated: Timestamp;
};

export interface VersionList extends JsonAnswer<"/workflows/{name}/versions", "get"> {
  versions: WorkflowVersion[];
}
