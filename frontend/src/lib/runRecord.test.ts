import { describe, expect, it } from "vitest";
import type { RunDetail } from "../api/types";
import { entriesFromDetail, pastRunFromDetail, pastRunInside } from "./runRecord";
import { notRunText, nodeDisplay } from "./runStatus";

const detail: RunDetail = {
  run_id: "r1",
  status: "done",
  workflow: "branches",
  started_at: 1,
  finished_at: 2,
  duration_ms: 1000,
  node_count: 8,
  results: { vt: null, vf: 4, w: 42 },
  errors: {},
  error: null,
  nodes: {
    i: { node_name: "If", status: "completed", duration_ms: 1, output: { true: null, false: 4 } },
    vt: { node_name: "View", status: "skipped" },
    vf: { node_name: "View", status: "completed", output: 4 },
    "s/x": { node_name: "Variable", status: "completed", output: 41 },
    "s/f": { node_name: "add", status: "completed", duration_ms: 2, output: 42 },
    "s/out": { node_name: "View", status: "completed", duration_ms: 1, output: 42 },
    w: { node_name: "View", status: "completed", output: 42 },
  },
};

describe("a past run reopened from History", () => {
  it("shows skipped nodes as skipped, on a branch not taken", () => {
    const entries = entriesFromDetail(detail);
    const vt = entries.find((e) => e.node_id === "vt")!;
    expect(vt.status).toBe("skipped");
    expect(nodeDisplay(vt.status, vt.error_kind)).toBe("skipped");
    expect(notRunText("skipped", vt.error, vt.status)).toBe("Skipped: on a branch not taken");
    expect(pastRunFromDetail(detail).viewResults).toMatchObject({ vt: null });
  });

  it("puts a subgraph's inner nodes under a card made for it, numbering the canvas's nodes in order", () => {
    const entries = entriesFromDetail(detail);
    expect(entries.map((e) => [e.node_id, e.parent ?? null, e.node_number])).toEqual([
      ["i", null, 1],
      ["vt", null, 2],
      ["vf", null, 3],
      ["s", null, 1],
      ["s/x", "s", 1],
      ["s/f", "s", 2],
      ["s/out", "s", 3],
      ["w", null, 4],
    ]);
    expect(entries.find((e) => e.node_id === "s")).toMatchObject({ node_name: "Subgraph", status: "completed", synthetic: true, duration_ms: 3 });
  });

  it("opened inside a subgraph node, shows what its nodes did there", () => {
    const past = pastRunFromDetail(detail);
    const inside = pastRunInside(past, "s")!;
    expect(inside.entries.map((e) => [e.node_id, e.status])).toEqual([
      ["x", "completed"],
      ["f", "completed"],
      ["out", "completed"],
    ]);
    expect(inside.viewResults).toEqual({ out: 42 });
    expect(pastRunInside(past, "i")).toBeNull();
    expect(pastRunInside({ ...past, phase: "running" }, "s")).toBeNull();
  });
});
