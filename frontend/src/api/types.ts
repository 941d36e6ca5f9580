// Types of the gateway's HTTP API (docs/api.md). Kept by hand, field for field.

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

export interface NodeSchema {
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

export interface PackReport {
  name: string;
  path: string;
  status: "ok" | "error";
  errors: PackError[];
  nodes: string[];
  /** Packages a pack file needs (PSYNAPSE_REQUIRES) that are not installed: its nodes would fail. */
  missing?: MissingPackage[];
}

export interface MissingPackage {
  module: string;
  /** How to install it, e.g. pip install 'psynapse[llm]'. */
  install: string;
  file: string;
  nodes: string[];
}

export interface Clash {
  name: string;
  packs: string[];
  listed_as: string[];
}

export interface NodepacksResponse {
  packs: PackReport[];
  clashes: Clash[];
}

export type NodeKind = "functionNode" | "variableNode" | "listNode" | "viewNode";

export interface GraphNodePayload {
  id: string;
  type: NodeKind;
  data: Record<string, unknown>;
  /** Where the node is drawn: kept with the run, so its graph reopens as it was. */
  position?: { x: number; y: number };
}

export interface GraphEdgePayload {
  source: string;
  target: string;
  sourceHandle: string | null;
  targetHandle: string | null;
}

export interface ExecuteRequest {
  nodes: GraphNodePayload[];
  edges: GraphEdgePayload[];
  env_vars?: Record<string, string>;
  /** The saved workflow this graph is (recorded on the run). */
  workflow?: string;
}

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

/** A run's status in GET /runs and GET /runs/{id}: the words the badge and History show. */
export type RunStatus = "running" | "done" | "failed" | "cancelled";

export interface RunRecord {
  run_id: string;
  status: RunStatus;
  results: Record<string, unknown>;
  errors: Record<string, string>;
}

// -- saved workflows (GET/PUT/DELETE /workflows...) ---------------------------
/** A saved graph: the editor's workflow file without its format version. */
export interface WorkflowBody {
  nodes: Array<{ id: string; type: NodeKind; position?: { x: number; y: number }; data: Record<string, unknown> }>;
  edges: Array<{ id?: string; source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }>;
  description?: string;
}

/** Times are epoch seconds (ISO strings are accepted too). */
export type Timestamp = number | string;

export interface WorkflowSummary {
  name: string;
  updated: Timestamp;
  versions: number;
}

export interface WorkflowSaved {
  name: string;
  version: number;
  updated: Timestamp;
}

export interface WorkflowRecord extends WorkflowSaved {
  workflow: WorkflowBody;
}

export interface WorkflowVersion {
  version: number;
  updated: Timestamp;
}

// -- run history (GET /runs, GET /runs/{id}) -----------------------------------
export interface RunSummary {
  run_id: string;
  workflow: string | null;
  status: RunStatus;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  node_count: number | null;
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
export interface RunGraph {
  run_id: string;
  workflow: string | null;
  nodes: GraphNodePayload[];
  edges: GraphEdgePayload[];
}

export function isNodeEvent(event: RunEvent): event is NodeEvent {
  return typeof (event as NodeEvent).node_id === "string";
}
