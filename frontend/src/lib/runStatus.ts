// One vocabulary for how runs and nodes end, shared by the run badge, the status
// cards, the canvas and History, and the same as the gateway's GET /runs: a run is
// done, failed or cancelled; a node that never ran is "skipped" (on a branch not
// taken, or an input failed) or "cancelled" (the run was stopped first), not a
// failure of its own.
import type { ErrorKind, NodeStatus, RunStatus } from "../api/types";

export type RunOutcome = "done" | "failed" | "cancelled";
export type RunPhase = "idle" | "running" | "stopping" | RunOutcome;

export const PHASE_LABEL: Record<RunPhase | RunStatus, string> = {
  idle: "Idle",
  running: "Running",
  stopping: "Stopping…",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** A run's status as a word; an older gateway's "error" is "Failed". */
export function statusLabel(status: string): string {
  return PHASE_LABEL[status as RunPhase] ?? (status === "error" ? PHASE_LABEL.failed : status);
}

/** What a node shows: the SSE status, with the errors of nodes that never ran told apart. */
export type NodeDisplay = NodeStatus | "skipped" | "cancelled" | "idle";

// The gateway's words for a node that never ran (error_kind says so; older records
// and the editor's own events have only the text).
const UPSTREAM = /^Input '([^']*)' failed: node '([^']*)' \((.*)\) did not complete$/;

/** A node error's kind: the gateway's `error_kind` when it is one the editor knows, else read from the error. */
export function errorKindOf(error: string | null | undefined, kind?: string | null): ErrorKind | null {
  if (kind === "upstream" || kind === "cancelled" || kind === "timeout") return kind;
  if (error === "cancelled") return "cancelled";
  return error && UPSTREAM.test(error) ? "upstream" : null;
}

export function nodeDisplay(status: NodeStatus | undefined, kind: ErrorKind | null | undefined): NodeDisplay {
  if (!status) return "idle";
  if (status !== "error") return status;
  if (kind === "upstream") return "skipped";
  if (kind === "cancelled") return "cancelled";
  return "error";
}

/** The failed input behind a skipped node: "input 'a' comes from divide_1 (divide), which failed". */
export function upstreamOf(error: string | null | undefined): { input: string; nodeId: string; name: string } | null {
  const match = error ? UPSTREAM.exec(error) : null;
  return match ? { input: match[1], nodeId: match[2], name: match[3] } : null;
}

/** What a node on a branch not taken says (its status is "skipped": it never ran, and that is no failure). */
export const UNTAKEN_TEXT = "Skipped: on a branch not taken";

/** A short line for a node that did not complete, as the canvas and the cards say it. */
export function notRunText(display: NodeDisplay, error: string | null | undefined, status?: NodeStatus): string | null {
  // Whether it had started is not known (a node that never ran gets a start with its end).
  if (display === "cancelled") return "Cancelled: the run was stopped";
  if (display !== "skipped") return null;
  if (status === "skipped") return UNTAKEN_TEXT;
  const source = upstreamOf(error);
  if (!source) return "Not run: an input failed";
  const input = source.input === "input" ? "its input" : `input '${source.input}'`;
  return `Not run: ${input} comes from ${source.nodeId} (${source.name}), which failed`;
}

/**
 * How a finished run ended, by the gateway's rule: cancelled when it was stopped,
 * failed when the run errored or any node did not complete, else done.
 */
export function runOutcome(runError: string | null | undefined, nodeErrors: number, stopped = false): RunOutcome {
  if (stopped || runError === "cancelled") return "cancelled";
  if (runError || nodeErrors > 0) return "failed";
  return "done";
}

export interface Tally {
  total: number;
  done: number;
  failed: number;
  /** Never ran because an input failed. */
  skipped: number;
  /** Never ran because their branch was not taken: how a run with branches goes, not a problem. */
  untaken: number;
  cancelled: number;
}

/** How each node ended; a node is counted by its event's status and its error's kind. */
export function tally(nodes: Array<{ status: NodeStatus; error_kind?: ErrorKind | null }>): Tally {
  const counted: Tally = { total: nodes.length, done: 0, failed: 0, skipped: 0, untaken: 0, cancelled: 0 };
  for (const node of nodes) {
    if (node.status === "skipped") counted.untaken++;
    else {
      const display = nodeDisplay(node.status, node.error_kind);
      if (display === "completed") counted.done++;
      else if (display === "error") counted.failed++;
      else if (display === "skipped") counted.skipped++;
      else if (display === "cancelled") counted.cancelled++;
    }
  }
  return counted;
}

/** "9 nodes · 5 done · 2 skipped · 1 failed · 1 not run" */
export function tallyText({ total, done, failed, skipped, untaken, cancelled }: Tally): string {
  const parts = [`${total} node${total === 1 ? "" : "s"}`, `${done} done`];
  if (untaken) parts.push(`${untaken} skipped`);
  if (failed) parts.push(`${failed} failed`);
  if (skipped) parts.push(`${skipped} not run`);
  if (cancelled) parts.push(`${cancelled} cancelled`);
  return parts.join(" · ");
}

export function isGoing(phase: RunPhase): boolean {
  return phase === "running" || phase === "stopping";
}

/** A progress fraction as a whole percentage (clamped to 0..100); null when there is none. */
export function percentOf(progress: number | undefined): number | null {
  return progress === undefined ? null : Math.round(Math.min(1, Math.max(0, progress)) * 100);
}

/** "Took 3 attempts" for a node that was retried, once it has ended. */
export function attemptsText(entry: { attempts?: number; status: NodeStatus }): string | null {
  if (!entry.attempts || entry.attempts < 2 || (entry.status !== "completed" && entry.status !== "error")) return null;
  return `Took ${entry.attempts} attempts`;
}
