// Events of nodes inside a subgraph, map or loop carry a path id: `outer/inner`,
// a map item's `map/3/inner`, a loop iteration's `loop/0/inner`. None of them is a
// node of the canvas: they belong to the canvas node their path starts with. A map
// or loop has events of its own; a subgraph has none (its nodes are planned into
// the run in its place), so its status is made here from its inner nodes'.
import type { ErrorKind, NodeStatus } from "../api/types";

/** The canvas node a path id belongs to; null for an id of the canvas itself. */
export function topOf(nodeId: string): string | null {
  const slash = nodeId.indexOf("/");
  return slash < 0 ? null : nodeId.slice(0, slash);
}

/** What the group's status is made from: each inner node's last event. */
export interface InnerNode {
  node_id: string | null;
  node_name: string;
  status: NodeStatus;
  error?: string;
  error_kind?: ErrorKind;
}

export interface GroupStatus {
  status: NodeStatus;
  error?: string;
  error_kind?: ErrorKind;
}

const RUNNING: NodeStatus[] = ["executing", "progress", "streaming", "retrying"];

/**
 * A subgraph node's status from its inner nodes: running while any runs; failed when
 * one failed itself; else ended once its outputs (the ids of its views inside, when
 * known) have, or, not knowing them, once the run has: completed when an output came,
 * skipped when it sat on a branch not taken, and not run when its inputs failed.
 */
export function groupStatus(inner: InnerNode[], outputs: string[] | undefined, runEnded: boolean): GroupStatus {
  const failed = inner.find((node) => node.status === "error" && !node.error_kind);
  if (failed) return { status: "error", error: `node '${failed.node_id}' (${failed.node_name}): ${failed.error ?? "failed"}` };
  if (inner.some((node) => RUNNING.includes(node.status))) return { status: "executing" };
  const ends = outputs?.length ? outputs.map((id) => inner.find((node) => node.node_id === id)) : null;
  const settled = ends ? ends.every((node) => node && node.status !== "executing") : runEnded;
  if (!settled) return { status: "executing" };
  const judged = (ends ?? inner).filter((node): node is InnerNode => !!node);
  if (judged.some((node) => node.status === "completed")) return { status: "completed" };
  if (judged.length > 0 && judged.every((node) => node.status === "skipped")) return { status: "skipped" };
  const cancelled = judged.find((node) => node.error_kind === "cancelled");
  if (cancelled) return { status: "error", error: cancelled.error ?? "cancelled", error_kind: "cancelled" };
  const lost = judged.find((node) => node.error_kind === "upstream");
  if (lost) return { status: "error", error: lost.error, error_kind: "upstream" };
  return { status: "completed" };
}

/** "3 done · 1 running · 2 skipped": the inner nodes of a group, counted. */
export function innerSummary(inner: InnerNode[]): string {
  const count = (pick: (node: InnerNode) => boolean) => inner.filter(pick).length;
  const parts = [`${inner.length} inside`];
  const done = count((n) => n.status === "completed");
  const running = count((n) => RUNNING.includes(n.status));
  const failed = count((n) => n.status === "error" && !n.error_kind);
  const skipped = count((n) => n.status === "skipped");
  const notRun = count((n) => n.status === "error" && !!n.error_kind);
  if (done) parts.push(`${done} done`);
  if (running) parts.push(`${running} running`);
  if (failed) parts.push(`${failed} failed`);
  if (skipped) parts.push(`${skipped} skipped`);
  if (notRun) parts.push(`${notRun} not run`);
  return parts.join(" · ");
}

/** Cards of the canvas's nodes, and those of the nodes inside each (by the node they belong to). */
export function groupCards<T extends { parent?: string }>(entries: T[]): { top: T[]; inner: Map<string, T[]> } {
  const top: T[] = [];
  const inner = new Map<string, T[]>();
  for (const entry of entries) {
    if (!entry.parent) top.push(entry);
    else {
      const list = inner.get(entry.parent);
      if (list) list.push(entry);
      else inner.set(entry.parent, [entry]);
    }
  }
  return { top, inner };
}
