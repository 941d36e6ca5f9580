import { beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../api/types";
import { partialRun } from "../lib/partialRun";
import { useRunStore } from "./runStore";

const r = () => useRunStore.getState();
let numbers = 0;
const ev = (node_id: string, node_name: string, status: string, extra: Record<string, unknown> = {}) =>
  ({ node_id, node_number: ++numbers, node_name, status, ...extra }) as RunEvent;
const entry = (id: string) => r().entries[r().index[id]];

beforeEach(() => {
  numbers = 0;
  r().clear();
});

describe("a run with branches", () => {
  it("marks nodes on a branch not taken skipped, and a view there null, without failing the run", () => {
    r().begin();
    r().apply([
      ev("i", "If", "executing"),
      ev("i", "If", "completed", { output: { true: null, false: 4 } }),
      ev("add", "add", "skipped"),
      ev("vt", "View", "skipped"),
      ev("vf", "View", "completed", { output: 4 }),
      { status: "done", results: { vt: null, vf: 4 } },
    ]);
    expect(r().phase).toBe("done");
    expect(r().live.add).toMatchObject({ status: "skipped", display: "skipped" });
    expect(r().viewResults).toEqual({ vt: null, vf: 4 });
    expect(entry("vt").status).toBe("skipped");
  });

  it("shows a view on the untaken branch null as soon as its skip arrives", () => {
    r().begin();
    r().apply([ev("vt", "View", "skipped")]);
    expect(r().viewResults).toEqual({ vt: null });
  });
});

describe("events of nodes inside subgraphs, maps and loops", () => {
  it("go under the subgraph node's card, whose status is made from them: running, then done when its outputs are", () => {
    r().begin(null, null, { s: ["s/out"] });
    r().apply([ev("a", "Variable", "completed", { output: 41 }), ev("s/x", "Variable", "completed", { output: 41 }), ev("s/f", "add", "executing")]);
    expect(r().entries.map((e) => [e.node_id, e.parent ?? null, e.status])).toEqual([
      ["a", null, "completed"],
      ["s", null, "executing"],
      ["s/x", "s", "completed"],
      ["s/f", "s", "executing"],
    ]);
    expect(entry("s")).toMatchObject({ node_name: "Subgraph", synthetic: true });
    expect(r().live.s.display).toBe("executing");
    expect(r().live["s/f"]).toBeUndefined(); // no canvas node for it
    r().apply([ev("s/f", "add", "completed", { output: 42 })]);
    expect(r().live.s.display).toBe("executing"); // its output has not come yet
    r().apply([ev("s/out", "View", "completed", { output: 42 })]);
    expect(r().live.s.display).toBe("completed");
    expect(r().viewResults).toEqual({}); // only the canvas's own views make results
  });

  it("a subgraph whose inner node failed shows the failure on its node", () => {
    r().begin();
    r().apply([
      ev("s/d", "divide", "error", { error: "division by zero" }),
      ev("s/out", "View", "error", { error: "Input 'input' failed: node 's/d' (divide) did not complete", error_kind: "upstream" }),
      ev("w", "View", "error", { error: "Input 'input' failed: node 's/out' (View) did not complete", error_kind: "upstream" }),
      { status: "done", results: { w: null }, errors: { "s/d": "division by zero" } },
    ]);
    expect(entry("s")).toMatchObject({ status: "error", error: "node 's/d' (divide): division by zero" });
    expect(r().live.s.display).toBe("error");
    expect(r().phase).toBe("failed");
  });

  it("a map's own events carry its progress (items done of all), its items' go under it", () => {
    r().begin();
    r().apply([
      ev("m", "Map", "executing"),
      ev("m/0/x", "Variable", "completed", { output: 1 }),
      ev("m/0/f", "slow_identity", "completed", { output: 1 }),
      ev("m", "Map", "progress", { progress: 1 / 64, progress_message: "1/64 items" }),
      ev("m/1/f", "slow_identity", "executing"),
    ]);
    expect(entry("m")).toMatchObject({ status: "progress", progress: 1 / 64, progress_message: "1/64 items" });
    expect(entry("m").synthetic).toBeUndefined();
    expect(r().entries.filter((e) => e.parent === "m").map((e) => e.node_id)).toEqual(["m/0/x", "m/0/f", "m/1/f"]);
    expect(r().live.m).toMatchObject({ display: "progress", progress: 1 / 64 });
  });

  it("a map item that failed, with continue-on-error, does not fail the run", () => {
    r().begin();
    r().apply([
      ev("m", "Map", "executing"),
      ev("m/1/d", "divide", "error", { error: "division by zero" }),
      ev("m", "Map", "completed", { output: [10, null], progress: 1, progress_message: "2/2 items, 1 failed" }),
      { status: "done", results: {} },
    ]);
    expect(r().phase).toBe("done");
    expect(entry("m").progress_message).toBe("2/2 items, 1 failed");
  });

  it("a loop's progress says its iteration, and its iterations' nodes go under it", () => {
    r().begin();
    r().apply([
      ev("l", "Loop", "executing"),
      ev("l/0/m", "multiply", "completed", { output: 2 }),
      ev("l", "Loop", "progress", { progress: 0.01, progress_message: "iteration 1 of at most 100" }),
      ev("l/1/m", "multiply", "executing"),
    ]);
    expect(entry("l")).toMatchObject({ status: "progress", progress_message: "iteration 1 of at most 100" });
    expect(r().entries.filter((e) => e.parent === "l").map((e) => e.node_id)).toEqual(["l/0/m", "l/1/m"]);
  });
});

describe("a partial run beside subgraphs", () => {
  it("keeps a subgraph it does not run as the last run left it (inner cards too), and counts neither its nor nested failures", () => {
    // The last run: s (a subgraph) failed inside; t (another one) and m (a map) ran.
    r().begin(null, null, { s: ["s/out"], t: ["t/out"] });
    r().apply([
      ev("s/f", "add", "error", { error: "boom" }),
      ev("t/out", "View", "completed", { output: 1 }),
      ev("m", "Map", "executing"),
      ev("m/0/f", "add", "error", { error: "item failed" }),
      ev("m", "Map", "completed", { output: [null] }),
      { status: "done", results: {} },
    ]);
    expect(r().phase).toBe("failed");
    expect(entry("s")).toMatchObject({ status: "error", synthetic: true });

    // Run to t and m only: s keeps its state (and its inner cards), carried over.
    r().begin(null, partialRun(["t", "m"], []), { s: ["s/out"], t: ["t/out"] });
    expect(r().entries.map((e) => [e.node_id, e.carried ?? false])).toEqual([
      ["s", true],
      ["s/f", true],
    ]);
    expect(r().live.s.display).toBe("error");
    expect(r().groupOutputs).toEqual({ s: ["s/out"], t: ["t/out"] });
    r().apply([
      ev("t/out", "View", "executing"),
      ev("t/out", "View", "completed", { output: 2 }),
      ev("m", "Map", "executing"),
      ev("m/0/f", "add", "error", { error: "item failed" }),
      ev("m", "Map", "completed", { output: [null] }),
      { status: "done", results: {} },
    ]);
    // Neither s's carried failure nor the map item's fails this run; s is not made again from nothing.
    expect(r().phase).toBe("done");
    expect(entry("s")).toMatchObject({ status: "error", synthetic: true, carried: true });
    expect(entry("t")).toMatchObject({ status: "completed", synthetic: true });
    expect(entry("t").carried).toBeUndefined();
    expect(entry("m/0/f")).toMatchObject({ parent: "m", status: "error" });

    // A replay from the start keeps what was carried over, and the outputs of the subgraphs.
    r().restart();
    expect(r().entries.map((e) => e.node_id)).toEqual(["s", "s/f"]);
    expect(r().groupOutputs).toEqual({ s: ["s/out"], t: ["t/out"] });
  });
});
