// Graph <-> the backend's ExecuteRequest, and <-> workflow files.
import type { ExecuteRequest, GraphEdgePayload, GraphNodePayload, NodeKind, NodeSchema } from "../api/types";
import type { PsyEdge, PsyNode, VariableType, WorkflowNodeType } from "./model";
import { layeredPositions } from "./layout";
import { isRunSetting } from "./runSettings";
import { formatsOf } from "./typecheck";

const KINDS: NodeKind[] = ["functionNode", "variableNode", "listNode", "viewNode", "ifNode", "switchNode", "subgraphNode", "mapNode", "loopNode"];

function functionPayload(data: Record<string, unknown>, schema: NodeSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { functionName: data.functionName };
  for (const [key, value] of Object.entries(data)) {
    if (key === "functionName" || value === "" || value === undefined) continue;
    // Parameters, and the node's retry and timeout settings.
    if (schema && !schema.params.some((p) => p.name === key) && !isRunSetting(key, schema)) continue;
    out[key] = value;
  }
  return out;
}

function variablePayload(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  if (!out.variableName) delete out.variableName;
  // Formats the type does not offer (left from another type) must not change the value.
  const formats = formatsOf(out.variableType as VariableType);
  if (!formats.llm) delete out.llmMessageFormat;
  if (!formats.text) delete out.textContentFormat;
  if (!formats.image) delete out.imageContentFormat;
  return out;
}

/** A workflow node's data as the gateway reads it: the workflow, a pinned version when there is one, its settings. */
function workflowPayload(node: WorkflowNodeType): Record<string, unknown> {
  const out: Record<string, unknown> = { workflow: node.data.workflow };
  if (typeof node.data.version === "number") out.version = node.data.version;
  if (node.type === "mapNode") {
    out.itemInput = node.data.itemInput;
    out.concurrency = node.data.concurrency;
    out.continueOnError = node.data.continueOnError;
  } else if (node.type === "loopNode") {
    out.whileOutput = node.data.whileOutput;
    out.maxIterations = node.data.maxIterations;
  }
  return out;
}

/** What the gateway reads of a node (docs/api.md): editor-only state stays behind. */
export function nodePayloadData(node: PsyNode, schemaOf: (name: string) => NodeSchema | undefined): Record<string, unknown> {
  switch (node.type) {
    case "functionNode":
      return functionPayload(node.data, schemaOf(node.data.functionName));
    case "variableNode":
      return variablePayload(node.data);
    case "viewNode":
      return node.data.viewName ? { viewName: node.data.viewName } : {};
    case "switchNode":
      return { cases: [...(node.data.cases ?? [])] };
    case "subgraphNode":
    case "mapNode":
    case "loopNode":
      return workflowPayload(node);
    default:
      return {};
  }
}

export function edgePayload(edge: PsyEdge): GraphEdgePayload {
  return {
    source: edge.source,
    target: edge.target,
    sourceHandle: edge.sourceHandle ?? null,
    targetHandle: edge.targetHandle ?? null,
  };
}

export function toExecuteRequest(
  nodes: PsyNode[],
  edges: PsyEdge[],
  schemaOf: (name: string) => NodeSchema | undefined,
  envVars?: Record<string, string>,
): ExecuteRequest {
  const payloadNodes: GraphNodePayload[] = nodes.map((node) => ({
    id: node.id,
    type: node.type,
    data: nodePayloadData(node, schemaOf),
    position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
  }));
  const request: ExecuteRequest = { nodes: payloadNodes, edges: edges.map(edgePayload) };
  if (envVars && Object.keys(envVars).length > 0) request.env_vars = envVars;
  return request;
}

// -- workflow files ----------------------------------------------------------
export interface WorkflowFile {
  version?: number;
  nodes: Array<{ id: string; type: NodeKind; position?: { x: number; y: number }; data: Record<string, unknown> }>;
  edges: Array<{ id?: string; source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }>;
}

export function exportWorkflow(nodes: PsyNode[], edges: PsyEdge[]): WorkflowFile {
  return {
    version: 1,
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.type,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      data: n.data,
    })),
    edges: edges.map((e) => ({ id: e.id, ...edgePayload(e) })),
  };
}

export function edgeId(edge: { source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null }): string {
  return `e-${edge.source}-${edge.sourceHandle ?? "out"}-${edge.target}-${edge.targetHandle ?? "in"}`;
}

/** Parse and check a workflow file; throws an Error naming what is wrong. */
export function parseWorkflow(text: string): { nodes: PsyNode[]; edges: PsyEdge[] } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new Error(`Not a JSON file: ${(error as Error).message}`);
  }
  return graphFromWorkflow(body);
}

/** Check a parsed workflow (a file, or a saved workflow from the server) and make it a graph. */
export function graphFromWorkflow(body: unknown): { nodes: PsyNode[]; edges: PsyEdge[] } {
  const file = body as Partial<WorkflowFile>;
  if (!file || !Array.isArray(file.nodes) || !Array.isArray(file.edges)) {
    throw new Error('A workflow file is {"nodes": [...], "edges": [...]}');
  }
  const ids = new Set<string>();
  // Nodes sent without a place (a run from the CLI, say) are laid out by their wires.
  const placed = (raw: { position?: { x: number; y: number } }) =>
    !!raw?.position && Number.isFinite(raw.position.x) && Number.isFinite(raw.position.y);
  const laidOut = file.nodes.every(placed)
    ? {}
    : layeredPositions(
        file.nodes.map((raw) => String(raw?.id)),
        file.edges.filter(Boolean),
      );
  const nodes: PsyNode[] = file.nodes.map((raw, index) => {
    if (!raw || typeof raw.id !== "string" || !raw.id) throw new Error(`Node #${index + 1} has no id`);
    if (!KINDS.includes(raw.type)) throw new Error(`Node '${raw.id}' has unknown type '${String(raw.type)}'`);
    if (ids.has(raw.id)) throw new Error(`Node id '${raw.id}' is used twice`);
    ids.add(raw.id);
    const position = placed(raw) && raw.position ? { x: raw.position.x, y: raw.position.y } : laidOut[raw.id];
    return { id: raw.id, type: raw.type, position, data: { ...(raw.data ?? {}) } } as PsyNode;
  });
  const edges: PsyEdge[] = [];
  for (const raw of file.edges) {
    if (!raw || !ids.has(raw.source) || !ids.has(raw.target)) continue;
    const edge = {
      source: raw.source,
      target: raw.target,
      sourceHandle: raw.sourceHandle ?? "output",
      targetHandle: raw.targetHandle ?? null,
    };
    edges.push({ id: raw.id || edgeId(edge), ...edge });
  }
  return { nodes, edges };
}
