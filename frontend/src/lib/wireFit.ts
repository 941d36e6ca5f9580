// Forgiving wiring: which handle a wire takes when it is dropped on a node's body
// or row rather than on the handle itself, and which new nodes can take a wire
// dropped on the empty canvas (and on which of their handles).
import type { Connection } from "@xyflow/react";
import type { DragPayload, PsyEdge, PsyNode, VariableType } from "./model";
import type { JsonSchema } from "./jsonSchema";
import { IF_INPUTS, IF_OUTPUTS, listHandleCount, MAP_ITEMS, SWITCH_DEFAULT } from "./model";
import { canFeed, checkConnection, schemaVerdict, shapeOf, type InterfaceLookup, type SchemaLookup, type Verdict } from "./typecheck";

/** The end a wire is drawn from: an output (source) or an input (target), and its type. */
export interface WireEnd {
  nodeId: string;
  handleId: string | null;
  handleType: "source" | "target";
  valueType: string;
  /** Its JSON Schema, when its type is rich (see typecheck's handleSchema). */
  valueSchema?: JsonSchema;
}

export interface Fit {
  handle: string;
  /** For a new Variable feeding an input: the variable type whose output fits it. */
  variableType?: VariableType;
}

/** The connection a wire from `end` makes with `handle` of `nodeId`. */
export function connectionTo(end: WireEnd, nodeId: string, handle: string): Connection {
  return end.handleType === "source"
    ? { source: end.nodeId, sourceHandle: end.handleId, target: nodeId, targetHandle: handle }
    : { source: nodeId, sourceHandle: handle, target: end.nodeId, targetHandle: end.handleId };
}

function inputsOf(node: PsyNode, edges: PsyEdge[], schemaOf: SchemaLookup, interfaceOf: InterfaceLookup): string[] {
  switch (node.type) {
    case "viewNode":
      return ["input"];
    case "listNode": {
      const count = listHandleCount(edges.filter((e) => e.target === node.id).map((e) => e.targetHandle));
      return Array.from({ length: count }, (_, i) => `input-${i}`);
    }
    case "functionNode":
      // Parameters with defaults live in the properties section, without a handle.
      return (schemaOf(node.data.functionName)?.params ?? []).filter((p) => p.default === undefined).map((p) => p.name);
    case "ifNode":
      return [...IF_INPUTS];
    case "switchNode":
      return ["value"];
    case "subgraphNode":
    case "loopNode":
      return (interfaceOf(node)?.inputs ?? []).map((input) => input.name);
    case "mapNode":
      return [MAP_ITEMS, ...(interfaceOf(node)?.inputs ?? []).map((input) => input.name).filter((name) => name !== node.data.itemInput)];
    default:
      return [];
  }
}

function outputsOf(node: PsyNode, schemaOf: SchemaLookup, interfaceOf: InterfaceLookup): string[] {
  switch (node.type) {
    case "viewNode":
      return [];
    case "functionNode": {
      const returns = schemaOf(node.data.functionName)?.returns ?? [];
      return returns.length > 1 ? returns.map((r) => r.name) : ["output"];
    }
    case "ifNode":
      return [...IF_OUTPUTS];
    case "switchNode":
      return [...(node.data.cases ?? []), SWITCH_DEFAULT];
    case "subgraphNode":
    case "loopNode":
      return (interfaceOf(node)?.outputs ?? []).map((output) => output.name);
    default:
      return ["output"];
  }
}

/**
 * The handle of `node` a wire from `end` dropped on it connects to: the handle under
 * the pointer (`preferred`) if it fits, else the first free one that fits, else the
 * first taken one that fits (the new wire replaces the old, as on a handle).
 */
export function handleOnNode(
  node: PsyNode,
  end: WireEnd,
  nodes: PsyNode[],
  edges: PsyEdge[],
  schemaOf: SchemaLookup,
  preferred?: string | null,
  interfaceOf: InterfaceLookup = () => undefined,
): { handle: string | null; verdict: Verdict; tried?: string } {
  const candidates = end.handleType === "source" ? inputsOf(node, edges, schemaOf, interfaceOf) : outputsOf(node, schemaOf, interfaceOf);
  if (candidates.length === 0) {
    return { handle: null, verdict: { ok: false, reason: end.handleType === "source" ? "This node takes no inputs" : "This node has no output" } };
  }
  const taken = (handle: string) =>
    end.handleType === "source" && edges.some((e) => e.target === node.id && e.targetHandle === handle);
  const ordered = [
    ...(preferred && candidates.includes(preferred) ? [preferred] : []),
    ...candidates.filter((h) => h !== preferred && !taken(h)),
    ...candidates.filter((h) => h !== preferred && taken(h)),
  ];
  let first: { verdict: Verdict; tried: string } | null = null;
  for (const handle of ordered) {
    const connection = connectionTo(end, node.id, handle);
    const others = edges.filter((e) => !(e.target === connection.target && e.targetHandle === connection.targetHandle));
    const verdict = checkConnection(connection, nodes, others, schemaOf, interfaceOf);
    if (verdict.ok) return { handle, verdict };
    first ??= { verdict, tried: handle };
    if (handle === preferred) return { handle: null, verdict, tried: handle }; // the row under the pointer says why
  }
  return first ? { handle: null, ...first } : { handle: null, verdict: { ok: false, reason: "No handle of this node fits" } };
}

const VARIABLE_FOR: Record<string, VariableType> = { str: "String", Literal: "String", bool: "Boolean", list: "List", dict: "Object", float: "Number", Any: "String" };

/** Whether an output fits an input: by their JSON Schemas when either has one, else by type. */
function feeds(from: string, fromSchema: JsonSchema | undefined, to: string, toSchema: JsonSchema | undefined): boolean {
  return (schemaVerdict(from, to, fromSchema, toSchema) ?? canFeed(from, to)).ok;
}

/** How a new node of `payload` would take a wire from `end`: the handle of it that fits, or null. */
export function fitForNew(payload: DragPayload, end: WireEnd, schemaOf: SchemaLookup): Fit | null {
  const wanted = end.valueType;
  const given = end.valueSchema;
  if (end.handleType === "source") {
    // The new node takes the value: one of its inputs.
    if (payload.type === "listNode") return { handle: "input-0" };
    if (payload.type === "viewNode") return { handle: "input" };
    if (payload.type === "ifNode") return { handle: shapeOf(wanted).base === "bool" ? "condition" : "value" };
    if (payload.type === "switchNode") return { handle: "value" };
    if (payload.type !== "functionNode") return null;
    const param = schemaOf(payload.name ?? "")?.params.find((p) => p.default === undefined && feeds(wanted, given, p.type, p.json_schema));
    return param ? { handle: param.name } : null;
  }
  // The new node gives the value: one of its outputs.
  if (payload.type === "listNode") return canFeed("list", wanted).ok ? { handle: "output" } : null;
  // A branch passes on whatever it takes.
  if (payload.type === "ifNode") return { handle: "true" };
  if (payload.type === "switchNode") return { handle: SWITCH_DEFAULT };
  if (payload.type === "variableNode") {
    const variableType = VARIABLE_FOR[shapeOf(wanted).base];
    return variableType ? { handle: "output", variableType } : null;
  }
  if (payload.type !== "functionNode") return null;
  const returns = schemaOf(payload.name ?? "")?.returns ?? [];
  if (returns.length <= 1) return feeds(returns[0]?.type ?? "Any", returns[0]?.json_schema, wanted, given) ? { handle: "output" } : null;
  const key = returns.find((r) => feeds(r.type, r.json_schema, wanted, given));
  return key ? { handle: key.name } : null;
}
