import { describe, expect, it } from "vitest";
import { carriedOver, inPartialRun, issuesOfPart, partialRun, targetsText } from "./partialRun";

// The spec's example: V1, V2 -> F1; V3, V4 -> F2; F1, F2 -> F3 -> View; F1, F2 -> L1 -> ListView.
const EDGES = [
  ["V1", "F1"],
  ["V2", "F1"],
  ["V3", "F2"],
  ["V4", "F2"],
  ["F1", "F3"],
  ["F2", "F3"],
  ["F1", "L1"],
  ["F2", "L1"],
  ["F3", "View"],
  ["L1", "ListView"],
].map(([source, target]) => ({ source, target }));

describe("partial runs", () => {
  it("runs the targets and every node wired into them, each once, as the gateway plans it", () => {
    expect(partialRun(["F1"], EDGES).nodes.sort()).toEqual(["F1", "V1", "V2"]);
    const shared = partialRun(["F3", "L1", "F3"], EDGES);
    expect(shared.targets).toEqual(["F3", "L1"]);
    expect(shared.nodes.sort()).toEqual(["F1", "F2", "F3", "L1", "V1", "V2", "V3", "V4"]);
    expect(partialRun(["V1"], EDGES).nodes).toEqual(["V1"]);
  });

  it("stops at a cycle instead of going round it", () => {
    const loop = [
      { source: "a", target: "b" },
      { source: "b", target: "a" },
    ];
    expect(partialRun(["a"], loop).nodes.sort()).toEqual(["a", "b"]);
  });

  it("counts a subgraph's inner nodes as part of it", () => {
    const part = partialRun(["sub"], [{ source: "x", target: "sub" }]);
    expect(inPartialRun(part, "sub/inner/f")).toBe(true);
    expect(inPartialRun(part, "x")).toBe(true);
    expect(inPartialRun(part, "subway")).toBe(false);
  });

  it("is held up only by problems of the nodes it runs", () => {
    const issues = [
      { nodeId: "F1", message: "F1: input 'a' is not connected" },
      { nodeId: "View", message: "elsewhere" },
      { nodeId: null, message: "the graph" },
    ];
    expect(issuesOfPart(issues, partialRun(["F3"], EDGES)).map((i) => i.message)).toEqual(["F1: input 'a' is not connected", "the graph"]);
    expect(issuesOfPart(issues, null)).toHaveLength(3);
  });

  it("names a few targets and counts the rest", () => {
    expect(targetsText(["F3"])).toBe("F3");
    expect(targetsText(["a", "b", "c", "d", "e"])).toBe("a, b, c and 2 more");
  });

  it("carries the last state of the nodes it does not run, and only theirs", () => {
    const previous = {
      entries: [
        { key: "F1", node_id: "F1", status: "completed" },
        { key: "View", node_id: "View", status: "completed" },
        { key: "run-error-2", node_id: null, status: "error" },
      ],
      live: { F1: "completed", View: "completed" },
      viewResults: { View: 48, ListView: [8, 6] },
    };
    const kept = carriedOver(previous, partialRun(["L1"], EDGES));
    expect(kept.entries).toEqual([{ key: "View", node_id: "View", status: "completed", carried: true }]);
    expect(kept.index).toEqual({ View: 0 });
    expect(kept.live).toEqual({ View: "completed" });
    expect(kept.viewResults).toEqual({ View: 48, ListView: [8, 6] });
  });
});
