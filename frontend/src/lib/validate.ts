// Checks before a run: things the backend would only find out later.
import type { MissingPackage, NodeSchema } from "../api/types";
import { jsonProblem } from "./jsonCheck";
import type { PsyEdge, PsyNode } from "./model";

export interface Issue {
  nodeId: string | null;
  message: string;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

export function preRunIssues(
  nodes: PsyNode[],
  edges: PsyEdge[],
  schemaOf: (name: string) => NodeSchema | undefined,
  missingOf: (functionName: string) => MissingPackage[] = () => [],
): Issue[] {
  if (nodes.length === 0) return [{ nodeId: null, message: "The canvas is empty: add nodes to run." }];
  const connected = new Set(edges.map((e) => `${e.target}\u0000${e.targetHandle ?? ""}`));
  const issues: Issue[] = [];
  for (const node of nodes) {
    if (node.type === "functionNode") {
      const schema = schemaOf(node.data.functionName);
      if (!schema) {
        issues.push({ nodeId: node.id, message: `${node.id}: unknown function '${node.data.functionName}'` });
        continue;
      }
      for (const missing of missingOf(schema.name)) {
        issues.push({ nodeId: node.id, message: `${schema.name} (${node.id}) needs the '${missing.module}' package, which is not installed: ${missing.install}` });
      }
      for (const param of schema.params) {
        if (param.default !== undefined) continue;
        if (connected.has(`${node.id}\u0000${param.name}`)) continue;
        if (isEmpty(node.data[param.name])) {
          issues.push({
            nodeId: node.id,
            message: `${schema.name} (${node.id}): input '${param.name}' is not connected and has no value`,
          });
        }
      }
    } else if (node.type === "variableNode") {
      const { variableType, variableValue } = node.data;
      if ((variableType === "List" || variableType === "Object") && typeof variableValue === "string") {
        const problem = jsonProblem(variableType, variableValue);
        if (problem) issues.push({ nodeId: node.id, message: `${node.id}: ${problem}` });
      }
    }
  }
  return issues;
}
