import { afterEach, describe, expect, it, vi } from "vitest";
import { executeStream, followRun } from "./stream";
import type { RunEvent } from "./types";

function sseResponse(chunks: string[], headers: Record<string, string> = {}) {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      chunks.forEach((c) => controller.enqueue(encoder.encode(c)));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream", ...headers } });
}

afterEach(() => vi.unstubAllGlobals());

describe("executeStream", () => {
  it("posts the request, reports the run id first, then the events", async () => {
    const fetchMock = vi.fn(() =>
      Promise.resolve(
        sseResponse(
          ['id: 1\ndata: {"node_id":"n1","node_number":1,"node_name":"add","status":"exec', 'uting"}\n\n: ping\n\n', 'id: 2\ndata: {"status":"done","results":{"w":8}}\n\n'],
          { "X-Run-Id": "run123" },
        ),
      ),
    );
    vi.stubGlobal("fetch", fetchMock);
    const order: string[] = [];
    const events: RunEvent[] = [];
    const result = await executeStream(
      { nodes: [], edges: [] },
      {
        onRunId: (id) => order.push(`run:${id}`),
        onEvents: (batch, lastId) => {
          order.push(`events:${lastId}`);
          events.push(...batch);
        },
      },
    );
    expect(fetchMock).toHaveBeenCalledWith("/execute/stream", expect.objectContaining({ method: "POST", body: '{"nodes":[],"edges":[]}' }));
    expect(order[0]).toBe("run:run123");
    expect(events.map((e) => e.status)).toEqual(["executing", "done"]);
    expect(result).toEqual({ runId: "run123", lastEventId: "2" });
  });

  it("raises the server's message on an error answer", async () => {
    vi.stubGlobal("fetch", vi.fn(() => Promise.resolve(new Response(JSON.stringify({ detail: "bad graph" }), { status: 400 }))));
    await expect(executeStream({ nodes: [], edges: [] }, { onEvents: () => undefined })).rejects.toThrow("bad graph");
  });
});

describe("followRun", () => {
  it("sends Last-Event-ID to resume a run", async () => {
    const fetchMock = vi.fn(() => Promise.resolve(sseResponse(['id: 9\ndata: {"status":"done","results":{}}\n\n'])));
    vi.stubGlobal("fetch", fetchMock);
    await followRun("abc", "8", { onEvents: () => undefined });
    expect(fetchMock).toHaveBeenCalledWith("/runs/abc/events", expect.objectContaining({ headers: { Accept: "text/event-stream", "Last-Event-ID": "8" } }));
  });
});
