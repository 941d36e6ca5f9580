import { describe, expect, it } from "vitest";
import type { RunGraph } from "../api/types";
import { requestOf, sameGraph } from "./runGraph";

// A run's graph as GET /runs/{id}/graph declares it: a node's data and position may be absent.
const graph = {
  run_id: "r1",
  workflow: "sums",
  nodes: [
    { id: "v", type: "variableNode", data: { variableValue: "5" }, position: null },
    { id: "w", type: "viewNode" },
  ],
  edges: [{ source: "v", target: "w", targetHandle: "input" }],
} satisfies RunGraph;

describe("a run's graph", () => {
  it("is the canvas's when nodes and wires are, wherever the nodes are drawn", () => {
    const canvas = {
      nodes: [
        { id: "w", type: "viewNode", data: {}, position: { x: 300, y: 0 } },
        { id: "v", type: "variableNode", data: { variableValue: "5" }, position: { x: 0, y: 0 } },
      ],
      edges: [{ source: "v", target: "w", sourceHandle: null, targetHandle: "input" }],
    };
    expect(sameGraph(canvas, graph)).toBe(true);
    expect(sameGraph({ ...canvas, nodes: [canvas.nodes[0], { ...canvas.nodes[1], data: { variableValue: "6" } }] }, graph)).toBe(false);
  });

  it("runs again as it ran, under its workflow", () => {
    expect(requestOf(graph)).toEqual({ nodes: graph.nodes, edges: graph.edges, workflow: "sums" });
    expect(requestOf({ ...graph, workflow: null })).not.toHaveProperty("workflow");
  });
});
