// The workflows opened from subgraph nodes, outermost first: each level keeps the
// canvas it left (graph, undo history, view, run, which saved workflow it was), so
// the breadcrumb goes back to it unchanged. Kept across reloads, without the undo
// history and the run.
import type { Viewport } from "@xyflow/react";
import { create } from "zustand";
import type { PsyEdge, PsyNode } from "../lib/model";
import { loadSubgraphStack, saveSubgraphStack, type OpenWorkflow } from "../lib/persistence";
import type { Snapshot } from "./graphStore";
import type { RunState } from "./runStore";

/** What the run store held: restored as it was when the canvas comes back. */
export type RunSnapshot = Pick<
  RunState,
  "phase" | "runId" | "entries" | "index" | "live" | "viewResults" | "eventCount" | "lastEventId" | "startedAt" | "finishedAt" | "detached" | "partial" | "groupOutputs"
>;

export interface Level {
  /** The canvas left behind. */
  nodes: PsyNode[];
  edges: PsyEdge[];
  past: Snapshot[];
  future: Snapshot[];
  viewport: Viewport;
  /** The saved workflow that canvas was (null: untitled). */
  open: OpenWorkflow | null;
  /** The run it showed (not kept across reloads). */
  run: RunSnapshot | null;
  /** The node that was opened, to select when coming back. */
  nodeId: string;
}

export interface SubgraphNavState {
  stack: Level[];
  push: (level: Level) => void;
  /** Drop the levels from `depth` on; returns the one at `depth`. */
  popTo: (depth: number) => Level | undefined;
  clear: () => void;
}

export const useSubgraphNavStore = create<SubgraphNavState>((set, get) => ({
  stack: loadSubgraphStack<Level>(),
  push(level) {
    const stack = [...get().stack, level];
    saveSubgraphStack(stack);
    set({ stack });
  },
  popTo(depth) {
    const level = get().stack[depth];
    const stack = get().stack.slice(0, depth);
    saveSubgraphStack(stack);
    set({ stack });
    return level;
  },
  clear() {
    if (get().stack.length === 0) return;
    saveSubgraphStack([]);
    set({ stack: [] });
  },
}));
