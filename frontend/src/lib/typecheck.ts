// Which wires fit: schema types of outputs against parameter types.
import type { Connection } from "@xyflow/react";
import type { NodeSchema } from "../api/types";
import type { PsyEdge, PsyNode, VariableData } from "./model";

export interface Verdict {
  ok: boolean;
  reason?: string;
}

interface Shape {
  base: string;
  inner?: string;
}

const KNOWN = new Set(["int", "float", "str", "bool", "list", "dict", "Literal", "tuple", "set", "bytes", "None"]);
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

/** Can a value of type `source` feed a parameter of type `target`? */
export function canFeed(source: string | null | undefined, target: string | null | undefined): Verdict {
  const s = shapeOf(source);
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
  Image: "str",
};

export function variableOutputType(data: VariableData): string {
  if (data.variableType === "Image" && data.imageContentFormat) return "dict";
  if (data.llmMessageFormat || data.textContentFormat) return "dict";
  return VARIABLE_OUTPUT[data.variableType] ?? "Any";
}

export type SchemaLookup = (name: string) => NodeSchema | undefined;

/** The type an output handle gives; null if the node has no such output. */
export function outputType(node: PsyNode, handle: string | null | undefined, schemaOf: SchemaLookup): string | null {
  switch (node.type) {
    case "variableNode":
      return variableOutputType(node.data);
    case "listNode":
      return "list";
    case "viewNode":
      return null;
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
export function inputType(node: PsyNode, handle: string | null | undefined, schemaOf: SchemaLookup): string | null {
  switch (node.type) {
    case "variableNode":
      return null;
    case "listNode":
      return /^input-\d+$/.test(handle ?? "") ? "Any" : null;
    case "viewNode":
      return handle === "input" ? "Any" : null;
    case "functionNode": {
      const schema = schemaOf(node.data.functionName);
      if (!schema) return "Any";
      return schema.params.find((p) => p.name === handle)?.type ?? null;
    }
  }
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
): Verdict {
  const source = nodes.find((n) => n.id === connection.source);
  const target = nodes.find((n) => n.id === connection.target);
  if (!source || !target) return { ok: false, reason: "Unknown node" };
  if (source.id === target.id) return { ok: false, reason: "A node cannot feed itself" };
  const from = outputType(source, connection.sourceHandle, schemaOf);
  if (from === null) return { ok: false, reason: "That handle is not an output" };
  const to = inputType(target, connection.targetHandle, schemaOf);
  if (to === null) return { ok: false, reason: "That handle is not an input" };
  if (reaches(target.id, source.id, edges)) return { ok: false, reason: "This wire would make a cycle" };
  const verdict = canFeed(from, to);
  if (!verdict.ok) {
    const param = connection.targetHandle ? ` '${connection.targetHandle}'` : "";
    return { ok: false, reason: `Type mismatch: ${from} output cannot feed ${to} input${param}` };
  }
  return verdict;
}
