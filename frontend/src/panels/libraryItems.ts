// What the library and quick-add offer: built-ins plus every schema, by pack.
import type { NodeSchema, PackReport } from "../api/types";
import type { DragPayload } from "../lib/model";

export interface LibraryItem {
  key: string;
  name: string;
  payload: DragPayload;
  description: string;
  signature?: string;
  progress?: boolean;
  stream?: boolean;
}

export const BUILTIN_ITEMS: LibraryItem[] = [
  { key: "builtin:Variable", name: "Variable", payload: { type: "variableNode" }, description: "A value: text, number, boolean, list, object or image" },
  { key: "builtin:List", name: "List", payload: { type: "listNode" }, description: "Collects its inputs into a list, in order" },
  { key: "builtin:View", name: "View", payload: { type: "viewNode" }, description: "Shows the value that reaches it; named, it is an output of the workflow as a subgraph" },
  { key: "builtin:If", name: "If", payload: { type: "ifNode" }, description: "Branch: the value goes out on true when the condition is truthy, else on false" },
  { key: "builtin:Switch", name: "Switch", payload: { type: "switchNode" }, description: "Branch: the value goes out on the case equal to its text, else on default" },
  { key: "builtin:Subgraph", name: "Subgraph", payload: { type: "subgraphNode" }, description: "A saved workflow as one node: its named Variables in, its Views out" },
  { key: "builtin:Map", name: "Map", payload: { type: "mapNode" }, description: "Runs a saved workflow once per item it is given, items in parallel, and collects the results in order" },
  { key: "builtin:Loop", name: "Loop", payload: { type: "loopNode" }, description: "Runs a saved workflow again and again while an output of it is true" },
];

export function signatureOf(schema: NodeSchema): string {
  const params = schema.params.map((p) => (p.default === undefined ? p.name : `${p.name}=`)).join(", ");
  const returns = schema.returns.length > 1 ? `{${schema.returns.map((r) => r.name).join(", ")}}` : schema.returns[0]?.type ?? "Any";
  return `(${params}) → ${returns}`;
}

export function schemaItem(schema: NodeSchema): LibraryItem {
  return {
    key: `fn:${schema.name}`,
    name: schema.name,
    payload: { type: "functionNode", name: schema.name },
    description: schema.docstring?.trim() || "No description",
    signature: signatureOf(schema),
    progress: !!schema.is_progress_node,
    stream: !!schema.is_stream_node,
  };
}

export function matches(item: LibraryItem, query: string, pack?: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return (
    item.name.toLowerCase().includes(q) ||
    item.description.toLowerCase().includes(q) ||
    (pack ?? "").toLowerCase().includes(q)
  );
}

export interface PackGroup {
  name: string;
  items: LibraryItem[];
  report?: PackReport;
}

/** Schemas grouped by nodepack, in the order the gateway lists packs. */
export function groupByPack(schemas: NodeSchema[], packs: PackReport[]): PackGroup[] {
  const groups = new Map<string, PackGroup>();
  for (const report of packs) groups.set(report.name, { name: report.name, items: [], report });
  for (const schema of schemas) {
    const pack = schema.nodepack || "other";
    if (!groups.has(pack)) groups.set(pack, { name: pack, items: [] });
    groups.get(pack)!.items.push(schemaItem(schema));
  }
  return [...groups.values()];
}

export function allItems(schemas: NodeSchema[]): LibraryItem[] {
  return [...BUILTIN_ITEMS, ...schemas.map(schemaItem)];
}
