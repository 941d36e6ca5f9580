// What is wrong with a Subgraph, Map or Loop node against the workflow it runs as
// saved now: none picked, none saved by that name (or version), or wires and
// settings naming inputs and outputs the workflow no longer has. The node shows
// these, and a run is refused with them rather than with the gateway's later error.
import type { PsyEdge, WorkflowNodeType, WorkflowRefData } from "./model";
import { BUILTIN_NAMES, MAP_ITEMS } from "./model";
import type { LoadedWorkflow, WorkflowInterface } from "./workflowInterface";

const list = (names: string[]) => (names.length ? names.join(", ") : "none");

/** Why `node` cannot run its workflow as it is wired, in the words the node shows. */
export function workflowNodeProblems(
  node: WorkflowNodeType,
  edges: PsyEdge[],
  loaded: LoadedWorkflow | undefined,
  iface: WorkflowInterface | undefined,
): string[] {
  const { workflow, version } = node.data;
  if (!workflow) return ["Pick the workflow it runs"];
  if (loaded?.status === "missing") {
    return [typeof version === "number" ? `Version ${version} of '${workflow}' is not saved` : `No saved workflow '${workflow}'`];
  }
  if (loaded?.status === "error") return [`Could not load '${workflow}': ${loaded.error ?? "unknown error"}`];
  if (!iface) return [];
  const problems: string[] = [];
  const inputs = iface.inputs.map((input) => input.name);
  const outputs = iface.outputs.map((output) => output.name);
  const takes = node.type === "mapNode" ? [MAP_ITEMS, ...inputs.filter((name) => name !== node.data.itemInput)] : inputs;
  const gives = node.type === "mapNode" ? ["output"] : outputs;
  for (const edge of edges) {
    if (edge.target === node.id && !takes.includes(edge.targetHandle ?? "")) {
      problems.push(`Input '${edge.targetHandle}' is wired, but '${workflow}' has no such input (its inputs: ${list(takes)})`);
    }
    if (edge.source === node.id && !gives.includes(edge.sourceHandle ?? "")) {
      problems.push(`Output '${edge.sourceHandle}' is wired, but '${workflow}' has no such output (its outputs: ${list(gives)})`);
    }
  }
  if (node.type === "mapNode") {
    const item = node.data.itemInput;
    if (!item) problems.push("Pick the input each item goes to");
    else if (!inputs.includes(item)) problems.push(`Item input '${item}' is not an input of '${workflow}' (its inputs: ${list(inputs)})`);
    if (outputs.length === 0) problems.push(`'${workflow}' has no View: a map item gives nothing`);
  }
  if (node.type === "loopNode") {
    const condition = node.data.whileOutput;
    if (!condition) problems.push("Pick the output that says whether to go on");
    else if (!outputs.includes(condition)) problems.push(`'${condition}' is not an output of '${workflow}' (its outputs: ${list(outputs)})`);
  }
  return problems;
}

/** The problems a run is refused for: the node's own, and a map without its list. */
export function workflowNodeRunProblems(
  node: WorkflowNodeType,
  edges: PsyEdge[],
  loaded: LoadedWorkflow | undefined,
  iface: WorkflowInterface | undefined,
): string[] {
  const problems = workflowNodeProblems(node, edges, loaded, iface);
  if (node.type === "mapNode" && !edges.some((e) => e.target === node.id && e.targetHandle === MAP_ITEMS)) {
    problems.push("Wire the list it maps over into 'items'");
  }
  return problems.map((problem) => `${BUILTIN_NAMES[node.type]} (${node.id}): ${problem}`);
}

/** "cf_add_one · v3" (pinned) or "cf_add_one · latest v5". */
export function workflowSubtitle(data: WorkflowRefData, loaded: LoadedWorkflow | undefined): string | undefined {
  if (!data.workflow) return undefined;
  if (typeof data.version === "number") return `${data.workflow} · v${data.version}`;
  return `${data.workflow}${loaded?.version ? ` · latest v${loaded.version}` : ""}`;
}
