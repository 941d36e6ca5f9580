import { beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../api/types";
import { partialRun } from "../lib/partialRun";
import { useRunStore } from "./runStore";

const r = () => useRunStore.getState();
const ev = (node_id: string, status: string, extra: Record<string, unknown> = {}) =>
  ({ node_id, node_number: Number(node_id.replace(/\D/g, "")) || 1, node_name: "add", status, inputs: { a: 1 }, ...extra }) as RunEvent;

beforeEach(() => r().clear());

describe("run store", () => {
  it("keeps one card per node in the order nodes first appear", () => {
    r().begin();
    r().apply([ev("n1", "executing"), ev("n2", "executing"), ev("n1", "completed", { output: 3 })]);
    expect(r().entries.map((e) => [e.node_id, e.status])).toEqual([
      ["n1", "completed"],
      ["n2", "executing"],
    ]);
    expect(r().entries[0].output).toBe(3);
    expect(r().live.n1.status).toBe("completed");
    expect(r().eventCount).toBe(3);
  });

  it("tracks progress and streaming text", () => {
    r().begin();
    r().apply([ev("p1", "progress", { progress: 0.25, progress_message: "Step 1/4" })]);
    expect(r().entries[0]).toMatchObject({ progress: 0.25, progress_message: "Step 1/4" });
    r().apply([ev("s2", "streaming", { streaming_text: "Hello", streaming_chunk: "Hello" })]);
    r().apply([ev("s2", "streaming", { streaming_text: "Hello, world", streaming_chunk: ", world" })]);
    expect(r().entries[1].streaming_text).toBe("Hello, world");
  });

  it("takes view values from the done event", () => {
    r().begin();
    r().apply([{ status: "done", results: { v1: 48, v2: [1, 2] } }]);
    expect(r().viewResults).toEqual({ v1: 48, v2: [1, 2] });
    expect(r().phase).toBe("done");
  });

  it("shows a run-level error as a card", () => {
    r().begin();
    r().apply([{ status: "error", error: "Graph contains a cycle: a -> b -> a" }]);
    expect(r().phase).toBe("failed");
    expect(r().entries[0]).toMatchObject({ node_id: null, status: "error" });
    expect(r().entries[0].error).toContain("cycle");
  });

  it("records node errors", () => {
    r().begin();
    r().apply([ev("n4", "error", { error: "division by zero" })]);
    expect(r().entries[0].error).toBe("division by zero");
    expect(r().live.n4.status).toBe("error");
  });

  it("ends as cancelled when the user stopped the run", () => {
    r().begin();
    r().setPhase("stopping");
    r().apply([ev("n1", "error", { error: "cancelled" }), { status: "error", error: "Run cancelled" }]);
    expect(r().phase).toBe("cancelled");
  });

  it("clears everything for a new run", () => {
    r().begin();
    r().apply([ev("n1", "completed", { output: 1 }), { status: "done", results: { v: 1 } }]);
    r().begin();
    expect(r().entries).toEqual([]);
    expect(r().viewResults).toEqual({});
    expect(r().phase).toBe("running");
  });

  it("marks nodes completed from the cache, on the card and the canvas state", () => {
    r().begin();
    r().apply([ev("n1", "executing"), ev("n1", "completed", { output: 3, cached: true }), ev("n2", "completed", { output: 4 })]);
    expect(r().entries[0].cached).toBe(true);
    expect(r().live.n1).toMatchObject({ status: "completed", cached: true });
    expect(r().entries[1].cached).toBeUndefined();
    expect(r().live.n2.cached).toBeUndefined();
    r().apply([ev("n1", "executing")]); // a redelivered node starts again
    expect(r().entries[0].cached).toBeUndefined();
  });

  it("shows a past run as finished, with its cards and views", () => {
    r().showPast({
      runId: "old",
      phase: "failed",
      entries: [{ key: "a", node_id: "a", node_number: 1, node_name: "add", status: "error", error: "boom", hasOutput: false }],
      viewResults: { v: null },
      startedAt: 1000,
      finishedAt: 3000,
    });
    expect(r()).toMatchObject({ runId: "old", phase: "failed", viewResults: { v: null }, startedAt: 1000, finishedAt: 3000 });
    expect(r().live.a.status).toBe("error");
    expect(r().index.a).toBe(0);
  });

  it("ends as failed when a node failed, as History and the API say it (not 'done')", () => {
    r().begin();
    r().apply([
      ev("d1", "error", { error: "division by zero", traceback: "Traceback ...\nZeroDivisionError" }),
      ev("w1", "error", { error: "Input 'input' failed: node 'd1' (divide) did not complete", error_kind: "upstream" }),
      { status: "done", results: { w1: null }, errors: { d1: "division by zero" } },
    ]);
    expect(r().phase).toBe("failed");
    expect(r().entries[0]).toMatchObject({ traceback: "Traceback ...\nZeroDivisionError" });
    expect(r().entries[0].error_kind).toBeUndefined();
    expect(r().live.d1.display).toBe("error");
    expect(r().live.w1.display).toBe("skipped");
  });

  it("a stop ends the run cancelled: nodes cancelled, not failed, their streamed text kept", () => {
    r().begin();
    r().apply([ev("s1", "streaming", { streaming_text: "one two", streaming_chunk: " two" })]);
    r().setPhase("stopping");
    r().apply([ev("s1", "error", { error: "cancelled", error_kind: "cancelled" }), ev("w1", "error", { error: "cancelled" }), { status: "error", error: "cancelled" }]);
    expect(r().phase).toBe("cancelled");
    expect(r().live.s1.display).toBe("cancelled");
    expect(r().live.w1.display).toBe("cancelled");
    expect(r().entries[0].streaming_text).toBe("one two");
    expect(r().entries.some((e) => e.node_id === null)).toBe(false); // the badge says it; no "Run: cancelled" card
  });

  it("a run of another graph (a Re-run from History) is not shown on the canvas's nodes", () => {
    r().begin({ fromRunId: "old", workflow: "sums" });
    expect(r().detached).toEqual({ fromRunId: "old", workflow: "sums" });
    r().begin();
    expect(r().detached).toBeNull();
  });

  it("keeps the state of the nodes a partial run does not run, and shows only its own cards as this run's", () => {
    const edges = [
      { source: "n1", target: "n2" },
      { source: "n2", target: "w3" },
      { source: "n1", target: "n4" },
    ];
    r().begin();
    r().apply([ev("n1", "completed", { output: 1 }), ev("n2", "completed", { output: 2 }), ev("n4", "error", { error: "boom" })]);
    r().apply([{ node_id: "w3", node_number: 3, node_name: "View", status: "completed", output: 2 }, { status: "done", results: { w3: 2 } }]);
    r().begin(null, partialRun(["n4"], edges));
    expect(r().partial?.nodes.sort()).toEqual(["n1", "n4"]);
    // n2 and the view w3 are not run: they keep what the last run left; n1 and n4 start afresh.
    expect(r().entries.map((e) => [e.node_id, e.status, e.carried])).toEqual([
      ["n2", "completed", true],
      ["w3", "completed", true],
    ]);
    expect(Object.keys(r().live).sort()).toEqual(["n2", "w3"]);
    expect(r().viewResults).toEqual({ w3: 2 });
    r().apply([ev("n1", "completed", { output: 5 }), ev("n4", "completed", { output: 6 }), { status: "done", results: {} }]);
    expect(r().phase).toBe("done");
    expect(r().entries[r().index.n4]).toMatchObject({ status: "completed", output: 6 });
    expect(r().entries[r().index.n4].carried).toBeUndefined();
    // A replay from the start forgets this run's cards, not what it carried.
    r().restart();
    expect(r().entries.map((e) => e.node_id)).toEqual(["n2", "w3"]);
    // A whole run starts from nothing.
    r().begin();
    expect(r().entries).toEqual([]);
    expect(r().partial).toBeNull();
  });

  it("carries nothing over from a Re-run of another graph", () => {
    r().begin({ fromRunId: "old", workflow: null });
    r().apply([ev("n1", "completed", { output: 1 })]);
    r().begin(null, partialRun(["n9"], []));
    expect(r().entries).toEqual([]);
  });
});

