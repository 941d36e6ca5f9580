// Small graphs for the control-flow tests: nodes as the editor holds them.
import { defaultVariableData } from "../lib/factory";
import type { PsyEdge, PsyNode } from "../lib/model";

const at = (x = 0, y = 0) => ({ x, y });

export function variable(id: string, value: unknown = "1", variableType = "Number", variableName = "", x = 0): PsyNode {
  return { id, type: "variableNode", position: at(x), data: { ...defaultVariableData(), variableType: variableType as "Number", variableValue: value, variableName } };
}

export function fn(id: string, functionName: string, data: Record<string, unknown> = {}, x = 300): PsyNode {
  return { id, type: "functionNode", position: at(x), data: { functionName, ...data } };
}

export function view(id: string, viewName = "", x = 600): PsyNode {
  return { id, type: "viewNode", position: at(x), data: viewName ? { viewName } : {} };
}

export function subgraph(id: string, workflow: string, version?: number): PsyNode {
  return { id, type: "subgraphNode", position: at(300), data: version === undefined ? { workflow } : { workflow, version } };
}

export function wire(source: string, target: string, targetHandle: string, sourceHandle = "output"): PsyEdge {
  return { id: `e-${source}-${sourceHandle}-${target}-${targetHandle}`, source, target, sourceHandle, targetHandle };
}
