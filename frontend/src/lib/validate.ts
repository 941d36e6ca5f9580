// Checks before a run: things the backend would only find out later.
import type { MissingPackage, NodeSchema } from "../api/types";
import { jsonProblem } from "./jsonCheck";
import { BUILTIN_NAMES, isWorkflowNode, SWITCH_DEFAULT, type PsyEdge, type PsyNode, type WorkflowNodeType } from "./model";
import type { LoadedWorkflow, WorkflowInterface } from "./workflowInterface";
import { workflowNodeRunProblems } from "./workflowNodeCheck";

export interface Issue {
  nodeId: string | null;
  message: string;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

/** What the editor knows of the workflow a Subgraph, Map or Loop node runs. */
export type WorkflowLookup = (node: WorkflowNodeType) => { loaded?: LoadedWorkflow; iface?: WorkflowInterface };

/** A branch's problems: its required input unwired, a Switch's cases not distinct. */
function branchIssues(node: PsyNode, connected: Set<string>): string[] {
  const problems: string[] = [];
  if (node.type === "ifNode" && !connected.has(`${node.id}\u0000condition`)) problems.push("wire its condition");
  if (node.type === "switchNode") {
    if (!connected.has(`${node.id}\u0000value`)) problems.push("wire its value");
    const cases = node.data.cases ?? [];
    if (cases.includes(SWITCH_DEFAULT)) problems.push(`'${SWITCH_DEFAULT}' is its fallback output, not a case`);
    const twice = cases.filter((c, i) => cases.indexOf(c) !== i);
    if (twice.length) problems.push(`case '${twice[0]}' is listed twice`);
  }
  return problems.map((problem) => `${BUILTIN_NAMES[node.type as "ifNode" | "switchNode"]} (${node.id}): ${problem}`);
}

export function preRunIssues(
  nodes: PsyNode[],
  edges: PsyEdge[],
  schemaOf: (name: string) => NodeSchema | undefined,
  missingOf: (functionName: string) => MissingPackage[] = () => [],
  workflowOf: WorkflowLookup = () => ({}),
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
    } else if (node.type === "ifNode" || node.type === "switchNode") {
      for (const message of branchIssues(node, connected)) issues.push({ nodeId: node.id, message });
    } else if (isWorkflowNode(node)) {
      const { loaded, iface } = workflowOf(node);
      for (const message of workflowNodeRunProblems(node, edges, loaded, iface)) issues.push({ nodeId: node.id, message });
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
