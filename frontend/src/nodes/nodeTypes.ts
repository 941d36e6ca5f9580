// The node type registry, at module scope so React Flow never sees a new object.
import type { NodeTypes } from "@xyflow/react";
import { FunctionNode } from "./FunctionNode";
import { IfNode } from "./IfNode";
import { ListNode } from "./ListNode";
import { LoopNode } from "./LoopNode";
import { MapNode } from "./MapNode";
import { SubgraphNode } from "./SubgraphNode";
import { SwitchNode } from "./SwitchNode";
import { VariableNode } from "./VariableNode";
import { ViewNode } from "./ViewNode";

export const nodeTypes: NodeTypes = {
  functionNode: FunctionNode,
  variableNode: VariableNode,
  listNode: ListNode,
  viewNode: ViewNode,
  ifNode: IfNode,
  switchNode: SwitchNode,
  subgraphNode: SubgraphNode,
  mapNode: MapNode,
  loopNode: LoopNode,
};
