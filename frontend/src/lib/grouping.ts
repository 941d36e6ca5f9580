// Group selection into subgraph: the selected nodes become a workflow of their own,
// and one Subgraph node running it takes their place, wired the same. A wire into
// the selection becomes a named Variable inside (an input), a wire out of it a
// named View (an output), so the outer graph computes what it did before.
import { defaultVariableData, newNodeId } from "./factory";
import type { PsyEdge, PsyNode, VariableData, VariableType } from "./model";
import { NEW_NODE_SIZE, placeAt, POINTER_OFFSET } from "./placement";
import { edgeId } from "./serialize";
import { outputType, shapeOf, type InterfaceLookup, type SchemaLookup } from "./typecheck";

export interface Grouped {
  /** The new workflow's graph. */
  inner: { nodes: PsyNode[]; edges: PsyEdge[] };
  /** The canvas with the selection replaced by the Subgraph node. */
  outer: { nodes: PsyNode[]; edges: PsyEdge[] };
  subgraphId: string;
  inputs: string[];
  outputs: string[];
}

/** Views and named Variables stay where they are: they are the outer graph's results and inputs. */
export function groupable(node: PsyNode): boolean {
  if (node.type === "viewNode") return false;
  return !(node.type === "variableNode" && node.data.variableName);
}

// A new Subgraph node's size before it is measured: its picker, then a row per port.
const SUBGRAPH_WIDTH = 260;
const SUBGRAPH_HEIGHT = 110;
const PORT_ROW = 34;

const VARIABLE_FOR: Record<string, VariableType> = { str: "String", Literal: "String", int: "Number", float: "Number", bool: "Boolean", list: "List", dict: "Object" };
const EMPTY_VALUE: Record<VariableType, unknown> = { String: "", Number: "0", Boolean: false, List: "[]", Object: "{}", Image: "" };

/** A handle's name as a port name: letters, digits and `_`. */
function portName(text: string): string {
  return text.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "value";
}

function unique(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name}_${n}`;
  used.add(candidate);
  return candidate;
}

/** An outside node that takes a value from the selection and gives one back to it, or null. */
function roundTrip(picked: Set<string>, edges: PsyEdge[]): string | null {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const reached = new Set<string>();
  const stack = edges.filter((e) => picked.has(e.source) && !picked.has(e.target)).map((e) => e.target);
  while (stack.length) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const target of next.get(id) ?? []) {
      if (picked.has(target)) return id;
      stack.push(target);
    }
  }
  return null;
}

/**
 * The selection (`selected` ids) as workflow `workflow` and the canvas after; an Error's
 * message says why it cannot be grouped.
 */
export function groupSelection(
  nodes: PsyNode[],
  edges: PsyEdge[],
  selected: Set<string>,
  workflow: string,
  schemaOf: SchemaLookup,
  interfaceOf?: InterfaceLookup,
): Grouped {
  const inside = nodes.filter((n) => selected.has(n.id) && groupable(n));
  if (inside.length === 0) throw new Error("Select the nodes to group (views and named variables stay outside it)");
  const picked = new Set(inside.map((n) => n.id));
  const back = roundTrip(picked, edges);
  if (back) throw new Error(`'${back}' takes a value from the selection and gives one back to it: select it too, or leave out what it feeds`);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const taken = new Set(nodes.map((n) => n.id));
  const minX = Math.min(...inside.map((n) => n.position.x));
  const minY = Math.min(...inside.map((n) => n.position.y));
  const maxX = Math.max(...inside.map((n) => n.position.x + (n.measured?.width ?? 240)));
  const subgraphId = newNodeId("subgraph", taken);

  const innerNodes: PsyNode[] = inside.map(({ id, type, position, data }) => ({ id, type, position: { ...position }, data: structuredClone(data) }) as PsyNode);
  const innerIds = new Set(innerNodes.map((n) => n.id));
  const innerEdges: PsyEdge[] = edges.filter((e) => picked.has(e.source) && picked.has(e.target)).map((e) => ({ ...e, selected: false }));
  const outerEdges: PsyEdge[] = edges.filter((e) => !picked.has(e.source) && !picked.has(e.target));
  const wire = (source: string, sourceHandle: string | null, target: string, targetHandle: string | null): PsyEdge => {
    const edge = { source, sourceHandle, target, targetHandle };
    return { id: edgeId(edge), ...edge };
  };

  // Each value coming in is one input, whatever it feeds inside.
  const names = new Set<string>();
  const inputs: string[] = [];
  const incoming = new Map<string, PsyEdge[]>();
  for (const e of edges) {
    if (picked.has(e.source) || !picked.has(e.target)) continue;
    const key = `${e.source}\u0000${e.sourceHandle ?? ""}`;
    incoming.set(key, [...(incoming.get(key) ?? []), e]);
  }
  for (const group of incoming.values()) {
    const first = group[0];
    const name = unique(portName(first.targetHandle ?? "input"), names);
    inputs.push(name);
    const source = byId.get(first.source)!;
    const id = newNodeId(`input_${name}`, (candidate) => innerIds.has(candidate));
    innerIds.add(id);
    // An outside Variable's value is the input's default; else an empty value of the type it gives.
    const given = outputType(source, first.sourceHandle, schemaOf, interfaceOf) ?? "Any";
    const variableType = VARIABLE_FOR[shapeOf(given).base] ?? "String";
    const data: VariableData =
      source.type === "variableNode"
        ? { ...structuredClone(source.data), variableName: name }
        : { ...defaultVariableData(), variableType, variableValue: EMPTY_VALUE[variableType], variableName: name };
    innerNodes.push({ id, type: "variableNode", position: { x: minX - 320, y: minY + (inputs.length - 1) * 200 }, data });
    for (const e of group) innerEdges.push(wire(id, "output", e.target, e.targetHandle ?? null));
    outerEdges.push(wire(first.source, first.sourceHandle ?? null, subgraphId, name));
  }

  // Each value going out is one output (a named View inside), whatever it feeds outside.
  const outgoing = new Map<string, PsyEdge[]>();
  for (const e of edges) {
    if (!picked.has(e.source) || picked.has(e.target)) continue;
    const key = `${e.source}\u0000${e.sourceHandle ?? ""}`;
    outgoing.set(key, [...(outgoing.get(key) ?? []), e]);
  }
  const outputs: string[] = [];
  const outNames = new Set<string>();
  for (const group of outgoing.values()) {
    const first = group[0];
    const handle = first.sourceHandle && first.sourceHandle !== "output" ? `_${first.sourceHandle}` : "";
    const name = unique(outgoing.size === 1 ? "result" : portName(`${first.source}${handle}`), outNames);
    outputs.push(name);
    const id = newNodeId(`output_${name}`, (candidate) => innerIds.has(candidate));
    innerIds.add(id);
    innerNodes.push({ id, type: "viewNode", position: { x: maxX + 80, y: minY + (outputs.length - 1) * 160 }, data: { viewName: name } });
    innerEdges.push(wire(first.source, first.sourceHandle ?? null, id, "input"));
    for (const e of group) outerEdges.push(wire(subgraphId, name, e.target, e.targetHandle ?? null));
  }

  // Where the selection was, or below it, clear of the nodes that stay.
  const stay = nodes.filter((n) => !picked.has(n.id));
  const rects = stay.map((n) => ({ x: n.position.x, y: n.position.y, width: n.measured?.width ?? NEW_NODE_SIZE.width, height: n.measured?.height ?? NEW_NODE_SIZE.height }));
  const size = { width: SUBGRAPH_WIDTH, height: SUBGRAPH_HEIGHT + PORT_ROW * (inputs.length + outputs.length) };
  const position = placeAt({ x: minX + POINTER_OFFSET.x, y: minY + POINTER_OFFSET.y }, rects, size);
  const subgraph: PsyNode = { id: subgraphId, type: "subgraphNode", position, data: { workflow }, selected: true };
  const outerNodes = [...stay.map((n) => (n.selected ? { ...n, selected: false } : n)), subgraph];
  return { inner: { nodes: innerNodes, edges: innerEdges }, outer: { nodes: outerNodes, edges: outerEdges }, subgraphId, inputs, outputs };
}
