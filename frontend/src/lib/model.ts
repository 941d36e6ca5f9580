// The editor's node and edge types, shared by store, nodes and panels.
import type { Edge, Node } from "@xyflow/react";

export const VARIABLE_TYPES = ["String", "Number", "Boolean", "List", "Object", "Image"] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];
export const LLM_ROLES = ["user", "assistant", "system"] as const;
export type LlmRole = (typeof LLM_ROLES)[number];

export type FunctionData = { functionName: string } & Record<string, unknown>;

export type VariableData = {
  variableType: VariableType;
  variableValue: unknown;
  llmMessageFormat?: boolean;
  llmMessageRole?: LlmRole;
  textContentFormat?: boolean;
  imageContentFormat?: boolean;
  variableName?: string;
} & Record<string, unknown>;

export type EmptyData = Record<string, unknown>;

/** A view's optional name: the output it is when its workflow runs as a subgraph (else its id). */
export type ViewData = { viewName?: string } & Record<string, unknown>;

/** A Switch's cases: one output per case, plus `default`. */
export type SwitchData = { cases: string[] } & Record<string, unknown>;

/** The saved workflow a Subgraph, Map or Loop runs: its name, and a pinned version (none: the latest). */
export type WorkflowRefData = { workflow: string; version?: number | null } & Record<string, unknown>;
export type MapData = WorkflowRefData & { itemInput: string; concurrency: number; continueOnError: boolean };
export type LoopData = WorkflowRefData & { whileOutput: string; maxIterations: number };

export type FunctionNodeType = Node<FunctionData, "functionNode">;
export type VariableNodeType = Node<VariableData, "variableNode">;
export type ListNodeType = Node<EmptyData, "listNode">;
export type ViewNodeType = Node<ViewData, "viewNode">;
export type IfNodeType = Node<EmptyData, "ifNode">;
export type SwitchNodeType = Node<SwitchData, "switchNode">;
export type SubgraphNodeType = Node<WorkflowRefData, "subgraphNode">;
export type MapNodeType = Node<MapData, "mapNode">;
export type LoopNodeType = Node<LoopData, "loopNode">;
/** The nodes that run a saved workflow. */
export type WorkflowNodeType = SubgraphNodeType | MapNodeType | LoopNodeType;
export type PsyNode = FunctionNodeType | VariableNodeType | ListNodeType | ViewNodeType | IfNodeType | SwitchNodeType | WorkflowNodeType;
export type PsyEdge = Edge;

export const BUILTIN_NAMES = {
  variableNode: "Variable",
  listNode: "List",
  viewNode: "View",
  ifNode: "If",
  switchNode: "Switch",
  subgraphNode: "Subgraph",
  mapNode: "Map",
  loopNode: "Loop",
} as const;

/** The handles of the built-in branches (docs/api.md, Control flow). */
export const IF_INPUTS = ["condition", "value"] as const;
export const IF_OUTPUTS = ["true", "false"] as const;
export const SWITCH_DEFAULT = "default";
/** A map's list input. */
export const MAP_ITEMS = "items";
export const MAP_CONCURRENCY = 4;
export const LOOP_MAX_ITERATIONS = 100;

export function isWorkflowNode(node: PsyNode): node is WorkflowNodeType {
  return node.type === "subgraphNode" || node.type === "mapNode" || node.type === "loopNode";
}

/** What the library drags onto the canvas (dataTransfer type below). */
export interface DragPayload {
  type: PsyNode["type"];
  /** The schema name, for function nodes. */
  name?: string;
  /** The saved workflow a new Subgraph, Map or Loop runs. */
  workflow?: string;
}
export const DRAG_MIME = "application/psynapse-node";

export function isFunctionNode(node: PsyNode): node is FunctionNodeType {
  return node.type === "functionNode";
}

/** A list node's inputs: input-0 up to one past the highest connected, so one is always free. */
export function listHandleCount(connectedHandles: Array<string | null | undefined>): number {
  let highest = -1;
  for (const handle of connectedHandles) {
    const match = /^input-(\d+)$/.exec(handle ?? "");
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 2;
}
