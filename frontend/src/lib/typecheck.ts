// Which wires fit: schema types of outputs against parameter types.
import type { Connection } from "@xyflow/react";
import type { NodeSchema } from "../api/types";
import { rooted, schemaMismatch, schemaOfType, type JsonSchema } from "./jsonSchema";
import { IF_INPUTS, IF_OUTPUTS, MAP_ITEMS, SWITCH_DEFAULT, type PsyEdge, type PsyNode, type VariableData, type WorkflowNodeType } from "./model";
import type { WorkflowInterface } from "./workflowInterface";

export interface Verdict {
  ok: boolean;
  reason?: string;
  /** A refused wire that a List node in between would make fit (a value into a list input). */
  wrapInList?: boolean;
}

interface Shape {
  base: string;
  inner?: string;
}

const KNOWN = new Set(["int", "float", "str", "bool", "list", "dict", "Literal", "tuple", "set", "bytes", "None", "image"]);
const ALIASES: Record<string, string> = { List: "list", Dict: "dict", Tuple: "tuple", Set: "set", string: "str" };

/** `Optional[int]` -> int, `list[int]` -> list (inner int), `Literal[...]` -> Literal. */
export function shapeOf(type: string | null | undefined): Shape {
  let text = (type ?? "Any").trim();
  if (!text) return { base: "Any" };
  const optional = /^Optional\[(.*)\]$/.exec(text);
  if (optional) return shapeOf(optional[1]);
  if (text.includes("|")) {
    const parts = text.split("|").map((p) => p.trim()).filter((p) => p !== "None");
    if (parts.length === 1) return shapeOf(parts[0]);
    return { base: "Any" };
  }
  if (/^Union\[/.test(text)) return { base: "Any" };
  const generic = /^([A-Za-z_][\w.]*)\[(.*)\]$/.exec(text);
  let inner: string | undefined;
  if (generic) {
    text = generic[1];
    inner = generic[2];
  }
  const base = ALIASES[text] ?? text;
  if (base === "list" || base === "set" || base === "tuple") return { base, inner: inner?.trim() };
  return { base };
}

/** The members of `Union[a, b]` or `a | b` (None left out), or null when `type` is not a union. */
export function unionMembers(type: string | null | undefined): string[] | null {
  const text = (type ?? "").trim();
  const wrapped = /^Union\[(.*)\]$/.exec(text);
  const parts = wrapped ? splitTopLevel(wrapped[1], ",") : splitTopLevel(text, "|");
  const members = parts.map((p) => p.trim()).filter((p) => p && p !== "None");
  return members.length > 1 ? members : null;
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "[") depth++;
    else if (ch === "]") depth--;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** A type as a person reads it: `Union[list[dict], dict, str]` -> `list[dict] | dict | str`. */
export function typeLabel(type: string | null | undefined): string {
  if (type === "Literal") return "choice";
  const members = unionMembers(type);
  if (members) return members.map(typeLabel).join(" | ");
  const optional = /^Optional\[(.*)\]$/.exec((type ?? "").trim());
  return optional ? `${typeLabel(optional[1])}?` : type || "Any";
}

/** Can a value of type `source` feed a parameter of type `target`? */
export function canFeed(source: string | null | undefined, target: string | null | undefined): Verdict {
  // A union input takes what any of its members takes (one message, or a list of them).
  const targets = unionMembers(target);
  if (targets) {
    return targets.some((member) => canFeed(source, member).ok) ? { ok: true } : { ok: false, reason: `${source} output cannot feed a ${target} input` };
  }
  const sources = unionMembers(source);
  if (sources) return sources.some((member) => canFeed(member, target).ok) ? { ok: true } : { ok: false, reason: `${source} output cannot feed a ${target} input` };
  const s = shapeOf(source === "image" ? "str" : source);
  const t = shapeOf(target);
  if (t.base === "Any" || s.base === "Any") return { ok: true };
  if (!KNOWN.has(s.base) || !KNOWN.has(t.base)) return { ok: true }; // a type we cannot judge
  const refuse = { ok: false, reason: `${source} output cannot feed a ${target} input` };
  if (t.base === "Literal") return s.base === "str" || s.base === "Literal" ? { ok: true } : refuse;
  if (t.base === "str") return s.base === "str" || s.base === "Literal" ? { ok: true } : refuse;
  if (t.base === "float") return s.base === "float" || s.base === "int" ? { ok: true } : refuse;
  if (s.base !== t.base) return refuse;
  if (s.inner && t.inner && !canFeed(s.inner, t.inner).ok) return refuse;
  return { ok: true };
}

const VARIABLE_OUTPUT: Record<string, string> = {
  String: "str",
  Number: "float",
  Boolean: "bool",
  List: "list",
  Object: "dict",
  // A data URL, so it feeds str inputs, but the editor shows it as the image it is.
  Image: "image",
};

/** Which message formats a variable type offers: LLM messages are text or images. */
export function formatsOf(variableType: VariableData["variableType"]): { llm: boolean; text: boolean; image: boolean } {
  return { llm: variableType === "String" || variableType === "Image", text: variableType === "String", image: variableType === "Image" };
}

export function variableOutputType(data: VariableData): string {
  const formats = formatsOf(data.variableType);
  if (formats.image && data.imageContentFormat) return "dict";
  if ((formats.llm && data.llmMessageFormat) || (formats.text && data.textContentFormat)) return "dict";
  return VARIABLE_OUTPUT[data.variableType] ?? "Any";
}

/** What a map gives: the list of its item's one output, or of objects of its outputs. */
export function mapOutputType(iface: WorkflowInterface): string {
  if (iface.outputs.length === 1) {
    const type = iface.outputs[0].type;
    return type === "Any" ? "list" : `list[${type}]`;
  }
  return "list[dict]";
}

/** What a map's `items` takes: a list of what its item input takes. */
export function mapItemsType(iface: WorkflowInterface, itemInput: string): string {
  const type = iface.inputs.find((input) => input.name === itemInput)?.type ?? "Any";
  return type === "Any" ? "list" : `list[${type}]`;
}

export type SchemaLookup = (name: string) => NodeSchema | undefined;

/** The inputs and outputs of the workflow a Subgraph, Map or Loop runs; undefined while not known. */
export type InterfaceLookup = (node: WorkflowNodeType) => WorkflowInterface | undefined;

const NO_INTERFACES: InterfaceLookup = () => undefined;

/** The type an output handle gives; null if the node has no such output. */
export function outputType(
  node: PsyNode,
  handle: string | null | undefined,
  schemaOf: SchemaLookup,
  interfaceOf: InterfaceLookup = NO_INTERFACES,
): string | null {
  switch (node.type) {
    case "variableNode":
      return variableOutputType(node.data);
    case "listNode":
      return "list";
    case "viewNode":
      return null;
    case "ifNode":
      return (IF_OUTPUTS as readonly string[]).includes(handle ?? "") ? "Any" : null;
    case "switchNode":
      return handle === SWITCH_DEFAULT || (node.data.cases ?? []).includes(handle ?? "") ? "Any" : null;
    case "subgraphNode":
    case "loopNode": {
      const iface = interfaceOf(node);
      if (!iface) return "Any"; // not known yet: nothing to judge by
      return iface.outputs.find((output) => output.name === handle)?.type ?? null;
    }
    case "mapNode": {
      if (handle !== "output") return null;
      const iface = interfaceOf(node);
      return iface ? mapOutputType(iface) : "list";
    }
    case "functionNode": {
      const schema = schemaOf(node.data.functionName);
      if (!schema) return "Any";
      const returns = schema.returns ?? [];
      if (returns.length > 1) return returns.find((r) => r.name === handle)?.type ?? null;
      return returns[0]?.type ?? "Any";
    }
  }
}

/** The type an input handle takes; null if the node has no such input. */
export function inputType(
  node: PsyNode,
  handle: string | null | undefined,
  schemaOf: SchemaLookup,
  interfaceOf: InterfaceLookup = NO_INTERFACES,
): string | null {
  switch (node.type) {
    case "variableNode":
      return null;
    case "listNode":
      return /^input-\d+$/.test(handle ?? "") ? "Any" : null;
    case "viewNode":
      return handle === "input" ? "Any" : null;
    case "ifNode":
      return (IF_INPUTS as readonly string[]).includes(handle ?? "") ? "Any" : null;
    case "switchNode":
      return handle === "value" ? "Any" : null;
    case "subgraphNode":
    case "loopNode": {
      const iface = interfaceOf(node);
      if (!iface) return "Any";
      return iface.inputs.find((input) => input.name === handle)?.type ?? null;
    }
    case "mapNode": {
      const iface = interfaceOf(node);
      if (handle === MAP_ITEMS) return iface ? mapItemsType(iface, node.data.itemInput) : "list";
      if (!iface) return "Any";
      if (handle === node.data.itemInput) return null; // each item goes there
      return iface.inputs.find((input) => input.name === handle)?.type ?? null;
    }
    case "functionNode": {
      const schema = schemaOf(node.data.functionName);
      if (!schema) return "Any";
      return schema.params.find((p) => p.name === handle)?.type ?? null;
    }
  }
}

/** The JSON Schema of a function node's output or input handle, when its type is rich. */
export function handleSchema(node: PsyNode, handle: string | null | undefined, side: "output" | "input", schemaOf: SchemaLookup): JsonSchema | undefined {
  if (node.type !== "functionNode") return undefined;
  const schema = schemaOf(node.data.functionName);
  if (!schema) return undefined;
  if (side === "input") return schema.params.find((p) => p.name === handle)?.json_schema;
  const returns = schema.returns ?? [];
  const found = returns.length > 1 ? returns.find((r) => r.name === handle) : returns[0];
  return found?.json_schema;
}

/**
 * Whether an output fits an input by their JSON Schemas, when either has one (a dataclass, a
 * TypedDict, a model, an Enum...): by shape, so a dataclass output fits a dict or a TypedDict
 * input with its fields. Null when neither has one, or one side says nothing (Any).
 */
export function schemaVerdict(from: string, to: string, fromSchema: JsonSchema | undefined, toSchema: JsonSchema | undefined): Verdict | null {
  if (!fromSchema && !toSchema) return null;
  const source = fromSchema ?? schemaOfType(from);
  const target = toSchema ?? schemaOfType(to);
  if (!source || !target) return null;
  const why = schemaMismatch(rooted(source), rooted(target));
  return why ? { ok: false, reason: why } : { ok: true };
}

function reaches(from: string, to: string, edges: PsyEdge[]): boolean {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return false;
}

/** The rule behind `isValidConnection`, with the reason a wire is refused. */
export function checkConnection(
  connection: Connection | PsyEdge,
  nodes: PsyNode[],
  edges: PsyEdge[],
  schemaOf: SchemaLookup,
  interfaceOf: InterfaceLookup = NO_INTERFACES,
): Verdict {
  const source = nodes.find((n) => n.id === connection.source);
  const target = nodes.find((n) => n.id === connection.target);
  if (!source || !target) return { ok: false, reason: "Unknown node" };
  if (source.id === target.id) return { ok: false, reason: "A node cannot feed itself" };
  const from = outputType(source, connection.sourceHandle, schemaOf, interfaceOf);
  if (from === null) return { ok: false, reason: "That handle is not an output" };
  const to = inputType(target, connection.targetHandle, schemaOf, interfaceOf);
  if (to === null) return { ok: false, reason: "That handle is not an input" };
  if (reaches(target.id, source.id, edges)) return { ok: false, reason: "This wire would make a cycle" };
  const param = connection.targetHandle ? ` '${connection.targetHandle}'` : "";
  const bySchema = schemaVerdict(
    from,
    to,
    handleSchema(source, connection.sourceHandle, "output", schemaOf),
    handleSchema(target, connection.targetHandle, "input", schemaOf),
  );
  if (bySchema && !bySchema.ok) {
    return { ok: false, reason: `Type mismatch: ${typeLabel(from)} output cannot feed ${typeLabel(to)} input${param}: ${bySchema.reason}` };
  }
  const verdict = bySchema ?? canFeed(from, to);
  if (!verdict.ok) {
    const reason = `Type mismatch: ${typeLabel(from)} output cannot feed ${typeLabel(to)} input${param}`;
    // One value where a list is wanted: a List node in between makes the list.
    if (canFeed("list", to).ok && canFeed(from, "Any").ok) {
      return { ok: false, reason: `${reason}. Put a List node in between to make a list of it`, wrapInList: true };
    }
    return { ok: false, reason };
  }
  return verdict;
}

/** An example of a value of `type`, shaped by its inner type: `list[dict]` is a list of objects. */
export function placeholderFor(type: string): string {
  const members = unionMembers(type);
  if (members) return placeholderFor(members[0]);
  const shape = shapeOf(type);
  if (shape.base === "dict") return '{"key": "value"}';
  if (shape.base === "list" || shape.base === "tuple" || shape.base === "set") {
    const inner = shapeOf(shape.inner).base;
    if (inner === "dict") return '[{"key": "value"}]';
    if (inner === "str") return '["a", "b"]';
    return "[1, 2, 3]";
  }
  return "value or JSON";
}
