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

export type FunctionNodeType = Node<FunctionData, "functionNode">;
export type VariableNodeType = Node<VariableData, "variableNode">;
export type ListNodeType = Node<EmptyData, "listNode">;
export type ViewNodeType = Node<EmptyData, "viewNode">;
export type PsyNode = FunctionNodeType | VariableNodeType | ListNodeType | ViewNodeType;
export type PsyEdge = Edge;

export const BUILTIN_NAMES = { variableNode: "Variable", listNode: "List", viewNode: "View" } as const;

/** What the library drags onto the canvas (dataTransfer type below). */
export interface DragPayload {
  type: PsyNode["type"];
  /** The schema name, for function nodes. */
  name?: string;
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
