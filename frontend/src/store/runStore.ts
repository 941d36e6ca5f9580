// A run as the editor sees it: status cards in execution order, the live
// status of each canvas node, and view results.
import { create } from "zustand";
import { isNodeEvent, type ErrorKind, type NodeEvent, type NodeStatus, type RunEvent } from "../api/types";
import { groupStatus, topOf } from "../lib/nestedRun";
import { carriedOver, type PartialRun } from "../lib/partialRun";
import { errorKindOf, nodeDisplay, runOutcome, type NodeDisplay, type RunPhase } from "../lib/runStatus";

export type { RunPhase };

export interface StatusEntry {
  key: string;
  node_id: string | null;
  node_number: number | null;
  node_name: string;
  status: NodeStatus;
  inputs?: Record<string, unknown>;
  output?: unknown;
  hasOutput: boolean;
  error?: string;
  /** Why an error node never ran (an input failed, the run was stopped); absent when it failed itself. */
  error_kind?: ErrorKind;
  traceback?: string;
  progress?: number;
  progress_message?: string;
  streaming_text?: string;
  /** Completed from the output cache, not run again. */
  cached?: boolean;
  /** Known for past runs (GET /runs/{id}). */
  duration_ms?: number | null;
  /** A node a partial run does not run: its state from the run before, kept on the canvas, not a card of this run. */
  carried?: boolean;
  /** For a node inside a subgraph, map or loop (a path id): the canvas node it belongs to. */
  parent?: string;
  /** A subgraph node's entry, made from its inner nodes' events (it has none of its own). */
  synthetic?: boolean;
  /** The retry under way: the call coming, of how many, after what pause, and why the last failed. */
  retry?: RetryNote;
  /** The calls the node took, when it was retried. */
  attempts?: number;
}

export interface RetryNote {
  attempt: number;
  max_attempts: number;
  delay_s: number;
  error: string;
}

export interface LiveStatus {
  status: NodeStatus;
  /** What the canvas shows: the status, with nodes that never ran told from failures. */
  display: NodeDisplay;
  progress?: number;
  cached?: boolean;
}

/** A run whose graph is not the canvas (History's Re-run of another graph): the canvas shows none of it. */
export interface DetachedRun {
  /** The past run whose graph this is. */
  fromRunId: string;
  workflow: string | null;
}

/** A finished run from the history, shown as if it had just run. */
export interface PastRun {
  runId: string;
  phase: RunPhase;
  entries: StatusEntry[];
  viewResults: Record<string, unknown>;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface RunState {
  phase: RunPhase;
  runId: string | null;
  entries: StatusEntry[];
  index: Record<string, number>;
  live: Record<string, LiveStatus>;
  viewResults: Record<string, unknown>;
  eventCount: number;
  lastEventId: string;
  startedAt: number | null;
  finishedAt: number | null;
  detached: DetachedRun | null;
  /** A run to some nodes (Run to here, Run selected): the nodes it runs; the others keep their state. */
  partial: PartialRun | null;
  /** For each subgraph node on the canvas, the path ids of its outputs: it has ended when they have. */
  groupOutputs: Record<string, string[]>;
  begin: (detached?: DetachedRun | null, partial?: PartialRun | null, groupOutputs?: Record<string, string[]>) => void;
  /** Forget the cards of this run (to replay it from its start), keep it running. */
  restart: () => void;
  setRunId: (runId: string | null) => void;
  setPhase: (phase: RunPhase) => void;
  apply: (events: RunEvent[], lastEventId?: string) => void;
  fail: (message: string) => void;
  /** Show a past run: its cards, node states and view values. */
  showPast: (past: PastRun) => void;
  clear: () => void;
}

function merge(previous: StatusEntry | undefined, event: NodeEvent): StatusEntry {
  const entry: StatusEntry = previous
    ? { ...previous }
    : {
        key: event.node_id,
        node_id: event.node_id,
        node_number: event.node_number ?? null,
        node_name: event.node_name,
        status: event.status,
        hasOutput: false,
      };
  const parent = topOf(event.node_id);
  if (parent !== null) entry.parent = parent;
  entry.status = event.status;
  if (event.status === "executing") {
    // A node starts again (its job was redelivered): its retries with it.
    entry.cached = undefined;
    entry.retry = undefined;
    entry.attempts = undefined;
  }
  if (event.attempts !== undefined) entry.attempts = event.attempts;
  if (event.status === "completed" || event.status === "error") entry.retry = undefined;
  if (event.node_number != null) entry.node_number = event.node_number;
  if (event.inputs !== undefined) entry.inputs = event.inputs;
  if (event.progress !== undefined) entry.progress = event.progress;
  if (event.progress_message !== undefined) entry.progress_message = event.progress_message;
  if (event.streaming_text !== undefined) entry.streaming_text = event.streaming_text;
  else if (event.streaming_chunk !== undefined) entry.streaming_text = (entry.streaming_text ?? "") + event.streaming_chunk;
  if (event.status === "retrying") {
    const attempt = event.attempt ?? 2;
    entry.retry = { attempt, max_attempts: event.max_attempts ?? attempt, delay_s: event.delay_s ?? 0, error: event.error ?? "failed" };
    entry.attempts = attempt;
    // The next call reports and streams afresh.
    if (entry.streaming_text !== undefined) entry.streaming_text = "";
    entry.progress = undefined;
    entry.progress_message = undefined;
    return entry;
  }
  if (event.status === "completed") {
    entry.output = event.output;
    entry.hasOutput = true;
    entry.cached = event.cached === true ? true : undefined;
    if (entry.progress !== undefined) entry.progress = 1;
  }
  if (event.status === "error") {
    entry.error = event.error ?? "failed";
    const kind = errorKindOf(entry.error, event.error_kind);
    if (kind) entry.error_kind = kind;
    if (event.traceback) entry.traceback = event.traceback;
  }
  return entry;
}

export function entryDisplay(entry: Pick<StatusEntry, "status" | "error_kind">): NodeDisplay {
  return nodeDisplay(entry.status, entry.error_kind);
}

function liveOf(entry: StatusEntry): LiveStatus {
  const live: LiveStatus = { status: entry.status, display: entryDisplay(entry) };
  if (entry.progress !== undefined) live.progress = entry.progress;
  if (entry.status === "completed" && entry.cached) live.cached = true;
  return live;
}

/**
 * This run's failed nodes: not those a partial run carried over from the run before, nor
 * those inside a subgraph, map or loop (a failure inside a subgraph shows on its node; a
 * map item's, with continue-on-error, fails nothing).
 */
function nodeErrors(entries: StatusEntry[]): number {
  return entries.filter((e) => e.node_id !== null && !e.carried && !e.parent && e.status === "error").length;
}

/** A subgraph node's entry from the entries of its inner nodes (`previous` is the one it had). */
export function groupEntry(
  top: string,
  entries: StatusEntry[],
  outputs: string[] | undefined,
  runEnded: boolean,
  previous?: StatusEntry,
): StatusEntry {
  const inner = entries.filter((e) => e.parent === top);
  const group = groupStatus(inner, outputs, runEnded);
  const entry: StatusEntry = {
    key: top,
    node_id: top,
    node_number: previous?.node_number ?? inner[0]?.node_number ?? null,
    node_name: "Subgraph",
    status: group.status,
    hasOutput: false,
    synthetic: true,
  };
  if (group.error !== undefined) entry.error = group.error;
  if (group.error_kind) entry.error_kind = group.error_kind;
  const durations = inner.map((e) => e.duration_ms).filter((d): d is number => typeof d === "number");
  if (durations.length) entry.duration_ms = durations.reduce((a, b) => a + b, 0);
  return entry;
}

/** Entries of a run as recorded (History), with an entry for each subgraph node made from its inner nodes'. */
export function withGroups(entries: StatusEntry[]): StatusEntry[] {
  const own = new Set(entries.filter((e) => !e.parent && e.node_id).map((e) => e.node_id));
  const out: StatusEntry[] = [];
  const made = new Set<string>();
  for (const entry of entries) {
    const top = entry.parent;
    if (top && !own.has(top) && !made.has(top)) {
      made.add(top);
      out.push(groupEntry(top, entries, undefined, true));
    }
    out.push(entry);
  }
  return out;
}

const initial = {
  phase: "idle" as RunPhase,
  runId: null,
  entries: [],
  index: {},
  live: {},
  viewResults: {},
  eventCount: 0,
  lastEventId: "",
  startedAt: null,
  finishedAt: null,
  detached: null,
  partial: null,
  groupOutputs: {},
};

export const useRunStore = create<RunState>((set, get) => ({
  ...initial,

  begin: (detached = null, partial = null, groupOutputs = {}) =>
    set((state) => ({
      ...initial,
      // What the canvas showed stays on the nodes a partial run does not run (not a Re-run of another graph's).
      ...(partial && !state.detached ? carriedOver(state, partial) : {}),
      phase: "running",
      startedAt: Date.now(),
      detached,
      partial,
      groupOutputs,
    })),
  restart: () =>
    set((state) => ({
      entries: [],
      index: {},
      live: {},
      viewResults: {},
      ...(state.partial ? carriedOver(state, state.partial) : {}),
      eventCount: 0,
      lastEventId: "",
    })),
  setRunId: (runId) => set({ runId }),
  setPhase: (phase) => set({ phase, finishedAt: phase === "running" || phase === "stopping" ? null : Date.now() }),
  clear: () => set({ ...initial }),
  showPast(past) {
    const index: Record<string, number> = {};
    const live: Record<string, LiveStatus> = {};
    past.entries.forEach((entry, at) => {
      index[entry.key] = at;
      if (entry.node_id && !entry.parent) live[entry.node_id] = liveOf(entry);
    });
    set({
      ...initial,
      phase: past.phase,
      runId: past.runId,
      entries: past.entries,
      index,
      live,
      viewResults: past.viewResults,
      startedAt: past.startedAt,
      finishedAt: past.finishedAt,
    });
  },

  fail(message) {
    get().apply([{ status: "error", error: message }]);
  },

  apply(events, lastEventId) {
    const state = get();
    let entries = state.entries;
    let index = state.index;
    let live = state.live;
    let viewResults = state.viewResults;
    let phase = state.phase;
    let copied = false;
    const stopping = phase === "stopping" || phase === "cancelled";
    const own = () => {
      if (copied) return;
      entries = [...entries];
      index = { ...index };
      live = { ...live };
      copied = true;
    };
    const regroup = (top: string, runEnded: boolean) => {
      const at = index[top];
      if (at !== undefined && !entries[at].synthetic) return; // a map or loop: its own events say
      const entry = groupEntry(top, entries, state.groupOutputs[top], runEnded, at === undefined ? undefined : entries[at]);
      if (at === undefined) {
        index[top] = entries.length;
        entries.push(entry);
      } else entries[at] = entry;
      live[top] = liveOf(entry);
    };
    // The run has ended: each subgraph's card settles (not one a partial run carried over).
    const settleGroups = () => {
      for (const entry of [...entries]) if (entry.synthetic && !entry.carried && entry.node_id) regroup(entry.node_id, true);
    };
    for (const event of events) {
      if (isNodeEvent(event)) {
        own();
        const top = topOf(event.node_id);
        // A subgraph's card goes where its first inner node's event came.
        if (top !== null && index[top] === undefined) regroup(top, false);
        const at = index[event.node_id];
        const previous = at === undefined ? undefined : entries[at];
        // A node's own event replaces what its inner nodes' events made of it.
        const entry = merge(previous?.synthetic ? undefined : previous, event);
        if (at === undefined) {
          index[event.node_id] = entries.length;
          entries.push(entry);
        } else entries[at] = entry;
        if (top !== null) {
          regroup(top, false);
          continue;
        }
        live[event.node_id] = liveOf(entry);
        if (event.node_name === "View" && (event.status === "completed" || event.status === "skipped")) {
          // A view on a branch not taken shows null, as the run's results say.
          viewResults = { ...viewResults, [event.node_id]: event.status === "completed" ? event.output : null };
        }
      } else if (event.status === "done") {
        own();
        settleGroups();
        viewResults = { ...viewResults, ...(event.results ?? {}) };
        // The server's verdict: a Stop that came too late does not make a finished run cancelled.
        phase = runOutcome(null, nodeErrors(entries) + Object.keys(event.errors ?? {}).filter((id) => !topOf(id)).length);
      } else if (event.status === "error") {
        own();
        settleGroups();
        phase = runOutcome(event.error, 0, stopping);
        // A stopped run's end is said by its badge; other run errors get a card of their own.
        if (phase !== "cancelled") {
          const key = `run-error-${entries.length}`;
          index[key] = entries.length;
          entries.push({ key, node_id: null, node_number: null, node_name: "Run", status: "error", error: event.error, hasOutput: false });
        }
      }
    }
    const finished = phase !== state.phase && (phase === "done" || phase === "failed" || phase === "cancelled");
    set({
      entries,
      index,
      live,
      viewResults,
      phase,
      eventCount: state.eventCount + events.length,
      lastEventId: lastEventId ?? state.lastEventId,
      ...(finished ? { finishedAt: Date.now() } : {}),
    });
  },
}));
