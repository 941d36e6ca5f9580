// A past run (GET /runs/{id}) in the shape the status cards and the canvas use.
import type { RunDetail, RunStatus } from "../api/types";
import { withGroups, type PastRun, type RunPhase, type StatusEntry } from "../store/runStore";
import { topOf } from "./nestedRun";
import { errorKindOf } from "./runStatus";

// Older gateways said "error" where runs now say "failed".
const PHASES: Record<RunStatus | "error", RunPhase> = { running: "running", done: "done", failed: "failed", error: "failed", cancelled: "cancelled" };

/**
 * One card per node, in the order the server lists them (execution order), plus a
 * run-level error. Nodes inside subgraphs, maps and loops (path ids) go under the
 * canvas node they belong to; a subgraph's card is made from its inner nodes'.
 */
export function entriesFromDetail(detail: RunDetail): StatusEntry[] {
  const numbers = new Map<string | null, number>();
  const nextNumber = (parent: string | null) => {
    const n = (numbers.get(parent) ?? 0) + 1;
    numbers.set(parent, n);
    return n;
  };
  const recorded: StatusEntry[] = Object.entries(detail.nodes ?? {}).map(([nodeId, node]) => {
    const parent = topOf(nodeId);
    const entry: StatusEntry = {
      key: nodeId,
      node_id: nodeId,
      node_number: nextNumber(parent),
      node_name: node.node_name,
      // The document's default: a node's record starts as executing.
      status: node.status ?? "executing",
      hasOutput: node.status === "completed" && "output" in node,
      duration_ms: node.duration_ms ?? null,
    };
    if (node.inputs) entry.inputs = node.inputs;
    if (entry.hasOutput) entry.output = node.output;
    if (node.status === "error") {
      entry.error = node.error || detail.errors?.[nodeId] || "failed";
      const kind = errorKindOf(entry.error, node.error_kind);
      if (kind) entry.error_kind = kind;
      if (node.traceback) entry.traceback = node.traceback;
    }
    if (node.cached) entry.cached = true;
    if (parent !== null) entry.parent = parent;
    if (node.attempts && node.attempts > 1) entry.attempts = node.attempts;
    const last = node.retries?.[node.retries.length - 1];
    if (node.status === "retrying" && last) {
      entry.retry = { attempt: last.attempt, max_attempts: last.attempt, delay_s: last.delay_s, error: last.error };
    }
    return entry;
  });
  const entries = withGroups(recorded);
  const nodeFailed = entries.some((e) => e.status === "error" && !e.parent);
  if ((detail.status as string) !== "done" && detail.error && detail.error !== "cancelled" && !nodeFailed) {
    entries.push({ key: "run-error", node_id: null, node_number: null, node_name: "Run", status: "error", error: detail.error, hasOutput: false });
  }
  return entries;
}

export function pastRunFromDetail(detail: RunDetail): PastRun {
  const seconds = (value: number | null | undefined) => (typeof value === "number" ? value * 1000 : null);
  return {
    runId: detail.run_id,
    phase: PHASES[detail.status] ?? "done",
    entries: entriesFromDetail(detail),
    viewResults: { ...(detail.results ?? {}) },
    startedAt: seconds(detail.started_at),
    finishedAt: seconds(detail.finished_at),
  };
}

/**
 * What a finished run did inside subgraph node `nodeId`, as a run of its workflow:
 * its inner nodes' entries with the node's id taken off theirs (`s/add` is `add`).
 */
export function pastRunInside(
  run: Pick<PastRun, "phase" | "entries" | "startedAt" | "finishedAt"> & { runId: string | null },
  nodeId: string,
): PastRun | null {
  if (run.phase === "idle" || run.phase === "running" || run.phase === "stopping" || !run.runId) return null;
  const prefix = `${nodeId}/`;
  const inner: StatusEntry[] = [];
  const viewResults: Record<string, unknown> = {};
  for (const entry of run.entries) {
    if (!entry.node_id?.startsWith(prefix) || entry.synthetic) continue;
    const id = entry.node_id.slice(prefix.length);
    const parent = topOf(id);
    const moved: StatusEntry = { ...entry, key: id, node_id: id };
    // A subgraph a partial run carried over shows inside what its last run did, as that run's cards.
    delete moved.carried;
    if (parent === null) delete moved.parent;
    else moved.parent = parent;
    inner.push(moved);
    if (parent === null && entry.node_name === "View" && (entry.status === "completed" || entry.status === "skipped")) {
      viewResults[id] = entry.status === "completed" ? entry.output : null;
    }
  }
  if (inner.length === 0) return null;
  return { runId: run.runId, phase: run.phase, entries: withGroups(inner), viewResults, startedAt: run.startedAt, finishedAt: run.finishedAt };
}
