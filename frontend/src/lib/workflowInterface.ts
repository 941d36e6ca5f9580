// A saved workflow seen from outside, as a Subgraph, Map or Loop node shows it: its
// named Variables are its inputs, its Views its outputs (named by viewName, else the
// view's id), as the gateway expands it (services/common/psynapse_common/graph.py).
// Their types come from what they are wired to inside, so wires into and out of the
// node are checked like any other.
import type { PsyEdge, PsyNode } from "./model";
import { canFeed, inputType, outputType, type InterfaceLookup, type SchemaLookup } from "./typecheck";

export interface Port {
  name: string;
  type: string;
}

export interface OutputPort extends Port {
  /** The view that gives it. */
  viewId: string;
}

export interface WorkflowInterface {
  inputs: Port[];
  outputs: OutputPort[];
}

/** A saved workflow as the editor fetched it for a node that runs it. */
export interface LoadedWorkflow {
  status: "loading" | "ready" | "missing" | "error";
  /** Its graph as saved (when ready). */
  graph?: { nodes: PsyNode[]; edges: PsyEdge[] };
  /** The version fetched: the pinned one, or the latest's number. */
  version?: number;
  error?: string;
}

/** The name of the input a variable is, or null when it has none. */
export function inputName(node: PsyNode): string | null {
  if (node.type !== "variableNode") return null;
  const name = node.data.variableName;
  return typeof name === "string" && name ? name : null;
}

/** The name of the output a view is: its viewName, else its id. */
export function outputName(node: PsyNode): string | null {
  if (node.type !== "viewNode") return null;
  const name = node.data.viewName;
  return typeof name === "string" && name ? name : node.id;
}

/**
 * The one type that fits every input a value goes to: the narrowest of them (an
 * int that also goes to a float is an int), "Any" when nothing says more.
 */
export function narrowest(types: string[]): string {
  const known = types.filter((type) => type !== "Any");
  if (known.length === 0) return "Any";
  return known.find((type) => known.every((other) => canFeed(type, other).ok)) ?? known[0];
}

/** The inputs and outputs of a workflow's graph (its inner subgraphs are read through `interfaceOf`). */
export function workflowInterface(
  nodes: PsyNode[],
  edges: PsyEdge[],
  schemaOf: SchemaLookup,
  interfaceOf?: InterfaceLookup,
): WorkflowInterface {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const fed = new Map<string, string[]>();
  for (const node of nodes) {
    const name = inputName(node);
    if (name === null) continue;
    const types = fed.get(name) ?? [];
    for (const edge of edges) {
      const target = edge.source === node.id ? byId.get(edge.target) : undefined;
      const type = target ? inputType(target, edge.targetHandle, schemaOf, interfaceOf) : null;
      if (type) types.push(type);
    }
    fed.set(name, types);
  }
  const inputs = [...fed].map(([name, types]) => ({ name, type: narrowest(types) }));
  // Two views of one name: the later one is the output (the gateway keeps one per name).
  const outputs = new Map<string, OutputPort>();
  for (const node of nodes) {
    const name = outputName(node);
    if (name === null) continue;
    const edge = edges.find((e) => e.target === node.id);
    const source = edge ? byId.get(edge.source) : undefined;
    const type = (source && outputType(source, edge?.sourceHandle, schemaOf, interfaceOf)) || "Any";
    outputs.delete(name);
    outputs.set(name, { name, type, viewId: node.id });
  }
  return { inputs, outputs: [...outputs.values()] };
}
