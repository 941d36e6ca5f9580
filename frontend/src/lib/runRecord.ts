// A past run (GET /runs/{id}) in the shape the status cards and the canvas use.
import type { RunDetail, RunStatus } from "../api/types";
import type { PastRun, RunPhase, StatusEntry } from "../store/runStore";
import { errorKindOf } from "./runStatus";

// Older gateways said "error" where runs now say "failed".
const PHASES: Record<RunStatus | "error", RunPhase> = { running: "running", done: "done", failed: "failed", error: "failed", cancelled: "cancelled" };

/** One card per node, in the order the server lists them (execution order), plus a run-level error. */
export function entriesFromDetail(detail: RunDetail): StatusEntry[] {
  const entries: StatusEntry[] = Object.entries(detail.nodes ?? {}).map(([nodeId, node], at) => {
    const entry: StatusEntry = {
      key: nodeId,
      node_id: nodeId,
      node_number: at + 1,
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
    if (node.attempts && node.attempts > 1) entry.attempts = node.attempts;
    const last = node.retries?.[node.retries.length - 1];
    if (node.status === "retrying" && last) {
      entry.retry = { attempt: last.attempt, max_attempts: last.attempt, delay_s: last.delay_s, error: last.error };
    }
    return entry;
  });
  const nodeFailed = entries.some((e) => e.status === "error");
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
