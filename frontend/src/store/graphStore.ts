// Nodes and edges of the canvas, with undo/redo. React Flow runs controlled
// from here: its changes (including `updateNodeData`'s replace changes) come
// through onNodesChange / onEdgesChange.
import {
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { create } from "zustand";
import type { PsyEdge, PsyNode } from "../lib/model";
import { edgeId } from "../lib/serialize";

export interface Snapshot {
  nodes: PsyNode[];
  edges: PsyEdge[];
}

const HISTORY_LIMIT = 100;
/** Edits with the same tag this close together are one undo step (typing). */
const COALESCE_MS: Record<string, number> = { data: 1500, delete: 250 };

export interface GraphState extends Snapshot {
  past: Snapshot[];
  future: Snapshot[];
  lastTag: string | null;
  lastAt: number;
  onNodesChange: (changes: NodeChange<PsyNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<PsyEdge>[]) => void;
  connect: (connection: Connection) => void;
  addNodes: (nodes: PsyNode[], edges?: PsyEdge[], select?: boolean) => void;
  removeNodes: (ids: string[]) => void;
  /** Change a node's data; `rewire` changes or drops (null) the wires out of it in the same step. */
  updateNodeData: (id: string, patch: Record<string, unknown>, rewire?: (edge: PsyEdge) => PsyEdge | null) => void;
  /** Replace the graph: "record" is one undo step, "reset" also forgets the history. */
  setGraph: (snapshot: Snapshot, mode?: "record" | "reset") => void;
  /** Select exactly the nodes `pick` accepts (not an undo step). */
  select: (pick: (node: PsyNode) => boolean) => void;
  commit: (tag?: string) => void;
  undo: () => void;
  redo: () => void;
}

function coalesceWindow(tag: string): number {
  return COALESCE_MS[tag.split(":")[0]] ?? 0;
}

export const useGraphStore = create<GraphState>((set, get) => ({
  nodes: [],
  edges: [],
  past: [],
  future: [],
  lastTag: null,
  lastAt: 0,

  commit(tag) {
    const { nodes, edges, past, lastTag, lastAt } = get();
    const now = Date.now();
    if (tag && tag === lastTag && now - lastAt < coalesceWindow(tag)) {
      set({ lastAt: now });
      return;
    }
    set({
      past: [...past.slice(-(HISTORY_LIMIT - 1)), { nodes, edges }],
      future: [],
      lastTag: tag ?? null,
      lastAt: now,
    });
  },

  onNodesChange(changes) {
    const { nodes, commit } = get();
    if (changes.some((c) => c.type === "remove")) commit("delete");
    else if (changes.some((c) => c.type === "add")) commit("add");
    else {
      const edited = changes.find(
        (c) => c.type === "replace" && nodes.find((n) => n.id === c.id)?.data !== c.item.data,
      );
      if (edited && edited.type === "replace") commit(`data:${edited.id}`);
    }
    set({ nodes: applyNodeChanges(changes, get().nodes) });
  },

  onEdgesChange(changes) {
    if (changes.some((c) => c.type === "remove" || c.type === "add" || c.type === "replace")) get().commit("delete");
    set({ edges: applyEdgeChanges(changes, get().edges) });
  },

  connect(connection) {
    if (!connection.source || !connection.target) return;
    get().commit("connect");
    // One wire per input: a new wire into a taken input replaces the old one.
    const edges = get().edges.filter(
      (e) => !(e.target === connection.target && (e.targetHandle ?? null) === (connection.targetHandle ?? null)),
    );
    const edge: PsyEdge = {
      id: edgeId(connection),
      source: connection.source,
      target: connection.target,
      sourceHandle: connection.sourceHandle ?? null,
      targetHandle: connection.targetHandle ?? null,
    };
    set({ edges: [...edges, edge] });
  },

  addNodes(added, addedEdges = [], select = false) {
    if (added.length === 0) return;
    get().commit("add");
    const base = select ? get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)) : get().nodes;
    const edgesBase = select ? get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)) : get().edges;
    // One wire per input: an added wire into a taken input replaces the old one.
    const fed = new Set(addedEdges.map((e) => `${e.target}\u0000${e.targetHandle ?? ""}`));
    set({
      nodes: [...base, ...(select ? added.map((n) => ({ ...n, selected: true })) : added)],
      edges: [...edgesBase.filter((e) => !fed.has(`${e.target}\u0000${e.targetHandle ?? ""}`)), ...addedEdges],
    });
  },

  removeNodes(ids) {
    if (ids.length === 0) return;
    const gone = new Set(ids);
    get().commit("remove");
    set({
      nodes: get().nodes.filter((n) => !gone.has(n.id)),
      edges: get().edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
    });
  },

  updateNodeData(id, patch, rewire) {
    get().commit(`data:${id}`);
    const edges = rewire
      ? get().edges.flatMap((e) => {
          if (e.source !== id) return [e];
          const next = rewire(e);
          return next ? [next] : [];
        })
      : get().edges;
    set({
      nodes: get().nodes.map((n) => (n.id === id ? ({ ...n, data: { ...n.data, ...patch } } as PsyNode) : n)),
      edges,
    });
  },

  setGraph(snapshot, mode = "record") {
    if (mode === "record") get().commit("load");
    set({ nodes: snapshot.nodes, edges: snapshot.edges, ...(mode === "reset" ? { past: [], future: [] } : {}) });
  },

  select(pick) {
    set({
      nodes: get().nodes.map((n) => {
        const selected = pick(n);
        return !!n.selected === selected ? n : { ...n, selected };
      }),
      edges: get().edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
    });
  },

  undo() {
    const { past, future, nodes, edges } = get();
    const previous = past[past.length - 1];
    if (!previous) return;
    set({
      ...previous,
      past: past.slice(0, -1),
      future: [{ nodes, edges }, ...future],
      lastTag: null,
    });
  },

  redo() {
    const { past, future, nodes, edges } = get();
    const next = future[0];
    if (!next) return;
    set({ ...next, past: [...past, { nodes, edges }], future: future.slice(1), lastTag: null });
  },
}));
