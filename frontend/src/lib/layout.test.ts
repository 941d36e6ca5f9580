import { describe, expect, it } from "vitest";
import { layeredPositions } from "./layout";

describe("laying out a graph without positions", () => {
  it("puts each node one column right of what feeds it", () => {
    const edges = [
      { source: "a", target: "f" },
      { source: "b", target: "f" },
      { source: "f", target: "v" },
    ];
    expect(layeredPositions(["a", "b", "f", "v"], edges)).toEqual({
      a: { x: 0, y: 0 },
      b: { x: 0, y: 190 },
      f: { x: 300, y: 0 },
      v: { x: 600, y: 0 },
    });
  });

  it("survives a cycle and wires to unknown nodes", () => {
    const positions = layeredPositions(["x", "y"], [{ source: "x", target: "y" }, { source: "y", target: "x" }, { source: "q", target: "x" }]);
    expect(Object.keys(positions)).toEqual(["x", "y"]);
  });
});
