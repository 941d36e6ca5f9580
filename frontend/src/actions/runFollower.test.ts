import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { executeStream } from "../api/stream";
import { useRunStore } from "../store/runStore";
import { answering } from "../test/fetchRoutes";
import { followRunStream } from "./runFollower";

const encoder = new TextEncoder();
const event = (id: number, body: object) => `id: ${id}\ndata: ${JSON.stringify(body)}\n\n`;
const node = (id: string, status: string, extra = {}) => ({ node_id: id, node_number: 1, node_name: "add", status, ...extra });

/** An SSE response that sends `chunks` and then stays open (or closes). */
function sse(chunks: string[], close: boolean, signal?: AbortSignal | null) {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      chunks.forEach((c) => controller.enqueue(encoder.encode(c)));
      if (close) controller.close();
      signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream", "X-Run-Id": "r1" } });
}

beforeEach(() => useRunStore.getState().begin());
afterEach(() => vi.unstubAllGlobals());

function follow(signal = new AbortController().signal) {
  let runId: string | null = null;
  return followRunStream({
    start: (handlers) => executeStream({ nodes: [], edges: [] }, handlers),
    signal,
    runId: () => runId,
    onRunId: (id) => (runId = id),
    stallMs: 50,
  });
}

describe("followRunStream", () => {
  it("reconnects after Last-Event-ID when the stream breaks", async () => {
    const calls: Array<[string, RequestInit | undefined]> = [];
    vi.stubGlobal(
      "fetch",
      answering((url: string, init?: RequestInit) => {
        calls.push([url, init]);
        if (url === "/execute/stream") return sse([event(1, node("a", "executing"))], true);
        if (url === "/runs/r1") return new Response(JSON.stringify({ run_id: "r1", status: "running", results: {}, errors: {} }));
        return sse([event(2, node("a", "completed", { output: 3 })), event(3, { status: "done", results: {} })], true);
      }),
    );
    expect(await follow()).toBe("finished");
    const resume = calls.find(([url]) => url === "/runs/r1/events");
    expect((resume?.[1]?.headers as Record<string, string>)["Last-Event-ID"]).toBe("1");
    expect(useRunStore.getState().entries[0].status).toBe("completed");
    expect(useRunStore.getState().phase).toBe("done");
  });

  it("replays the run from its start when the stream goes quiet but the run is over", async () => {
    vi.stubGlobal(
      "fetch",
      answering((url: string, init?: RequestInit) => {
        if (url === "/execute/stream") return sse([event(1, node("a", "executing"))], false, init?.signal);
        if (url === "/runs/r1") return new Response(JSON.stringify({ run_id: "r1", status: "done", results: {}, errors: {} }));
        expect((init?.headers as Record<string, string>)["Last-Event-ID"]).toBeUndefined();
        return sse(
          [
            event(1, node("a", "executing")),
            event(2, node("b", "executing")),
            event(3, node("b", "completed", { output: 1 })),
            event(4, node("a", "completed", { output: 2 })),
            event(5, { status: "done", results: { v: 2 } }),
          ],
          true,
        );
      }),
    );
    expect(await follow()).toBe("finished");
    const state = useRunStore.getState();
    expect(state.entries.map((e) => [e.node_id, e.status])).toEqual([
      ["a", "completed"],
      ["b", "completed"],
    ]);
    expect(state.eventCount).toBe(5);
    expect(state.viewResults).toEqual({ v: 2 });
  });

  it("stops when aborted", async () => {
    const abort = new AbortController();
    vi.stubGlobal("fetch", answering((_url: string, init?: RequestInit) => sse([event(1, node("a", "executing"))], false, init?.signal)));
    const outcome = follow(abort.signal);
    setTimeout(() => abort.abort(), 20);
    expect(await outcome).toBe("aborted");
  });
});
