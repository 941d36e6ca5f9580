// Copy/paste of a selection: nodes plus the wires between them, new ids on paste.
import type { PsyEdge, PsyNode } from "./model";
import { newNodeId } from "./factory";
import { edgeId } from "./serialize";

let clipboard: { nodes: PsyNode[]; edges: PsyEdge[] } | null = null;
let pastes = 0;

export function copySelection(nodes: PsyNode[], edges: PsyEdge[]): number {
  const picked = nodes.filter((n) => n.selected);
  if (picked.length === 0) return 0;
  const ids = new Set(picked.map((n) => n.id));
  clipboard = {
    nodes: structuredClone(picked.map(({ id, type, position, data }) => ({ id, type, position, data }) as PsyNode)),
    edges: edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map((e) => ({ ...e })),
  };
  pastes = 0;
  return picked.length;
}

export function hasClipboard(): boolean {
  return clipboard !== null && clipboard.nodes.length > 0;
}

/** The clipboard as fresh nodes (new ids, shifted a bit more on each paste). */
export function pasteClipboard(existing: PsyNode[]): { nodes: PsyNode[]; edges: PsyEdge[] } {
  if (!clipboard) return { nodes: [], edges: [] };
  pastes += 1;
  const taken = new Set(existing.map((n) => n.id));
  const rename = new Map<string, string>();
  const nodes = clipboard.nodes.map((node) => {
    const prefix = node.id.replace(/_\d+$/, "");
    const id = newNodeId(prefix, taken);
    taken.add(id);
    rename.set(node.id, id);
    return {
      ...structuredClone(node),
      id,
      position: { x: node.position.x + 40 * pastes, y: node.position.y + 40 * pastes },
    };
  });
  const edges = clipboard.edges.map((edge) => {
    const moved = { ...edge, source: rename.get(edge.source)!, target: rename.get(edge.target)! };
    return { ...moved, id: edgeId(moved), selected: false };
  });
  return { nodes, edges };
}
