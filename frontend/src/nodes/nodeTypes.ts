// The node type registry, at module scope so React Flow never sees a new object.
import type { NodeTypes } from "@xyflow/react";
import { FunctionNode } from "./FunctionNode";
import { ListNode } from "./ListNode";
import { VariableNode } from "./VariableNode";
import { ViewNode } from "./ViewNode";

export const nodeTypes: NodeTypes = {
  functionNode: FunctionNode,
  variableNode: VariableNode,
  listNode: ListNode,
  viewNode: ViewNode,
};
