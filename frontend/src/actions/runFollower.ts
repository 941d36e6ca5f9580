// Follows one run's event stream into the run store until its last event:
// batches events per frame, reconnects through /runs/{id}/events when the
// stream breaks, and, when the stream goes quiet while the server says the
// run is over (events lost on the way), replays the run from its start.
import { ApiError } from "../api/config";
import { fetchRunDetail } from "../api/history";
import { followRun, type RunStreamHandlers } from "../api/stream";
import type { RunEvent } from "../api/types";
import { createBatcher } from "../lib/batcher";
import { useRunStore } from "../store/runStore";

export const GONE = Symbol("run gone");
export type FollowOutcome = "finished" | "gone" | "aborted" | "broken";

export interface FollowOptions {
  /** Opens the first stream (POST /execute/stream or GET /runs/{id}/events). */
  start: (handlers: RunStreamHandlers) => Promise<unknown>;
  /** The user's Stop (after the grace period) or the page going away. */
  signal: AbortSignal;
  onRunId: (runId: string) => void;
  runId: () => string | null;
  /** Quiet time before asking the server whether the run is still going. */
  stallMs?: number;
  retries?: number;
}

function isFinal(event: RunEvent): boolean {
  return !("node_id" in event && event.node_id) && (event.status === "done" || event.status === "error");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function followRunStream(options: FollowOptions): Promise<FollowOutcome> {
  const { signal, stallMs = 5000, retries = 4 } = options;
  let lastId = "";
  let finished = false;
  let lastActivity = Date.now();
  let replayFromStart = false;
  let stream: AbortController | null = null;
  const batcher = createBatcher<RunEvent>((events) => useRunStore.getState().apply(events, lastId));

  const handlers = (): RunStreamHandlers => {
    const own = new AbortController();
    stream = own;
    signal.addEventListener("abort", () => own.abort(), { once: true });
    return {
      signal: own.signal,
      onRunId: options.onRunId,
      onEvents: (events, id) => {
        lastActivity = Date.now();
        lastId = id || lastId;
        if (events.some(isFinal)) finished = true;
        batcher.push(events);
      },
    };
  };

  const watchdog = setInterval(() => {
    const id = options.runId();
    if (finished || signal.aborted || !id || Date.now() - lastActivity < stallMs) return;
    lastActivity = Date.now();
    fetchRunDetail(id)
      .then((record) => {
        if (record.status !== "running" && !finished) {
          replayFromStart = true;
          stream?.abort();
        }
      })
      .catch(() => undefined);
  }, Math.min(1000, stallMs));

  try {
    let first: unknown;
    try {
      first = await options.start(handlers());
    } catch (error) {
      if (!replayFromStart) throw error;
    }
    if (first === GONE) return "gone";
    for (let attempt = 0; !finished && options.runId() && attempt < retries && !signal.aborted; attempt++) {
      if (replayFromStart) {
        replayFromStart = false;
        batcher.flush();
        useRunStore.getState().restart();
        lastId = "";
      } else {
        await sleep(500 * 2 ** attempt);
      }
      await followRun(options.runId()!, lastId || null, handlers()).catch((error) => {
        if (error instanceof ApiError && error.status === 404) attempt = retries;
      });
    }
    if (finished) return "finished";
    if (signal.aborted) return "aborted";
    batcher.push([{ status: "error", error: "The event stream ended before the run finished" }]);
    return "broken";
  } catch (error) {
    if (signal.aborted) return "aborted";
    batcher.push([{ status: "error", error: `Run failed: ${(error as Error).message}` }]);
    return "broken";
  } finally {
    clearInterval(watchdog);
    batcher.flush();
  }
}
