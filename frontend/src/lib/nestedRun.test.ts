import { describe, expect, it } from "vitest";
import type { ErrorKind, NodeStatus } from "../api/types";
import { groupCards, groupStatus, innerSummary, topOf, type InnerNode } from "./nestedRun";

const inner = (node_id: string, status: NodeStatus, error?: string, error_kind?: ErrorKind): InnerNode => ({ node_id, node_name: "add", status, error, error_kind });

describe("path ids of nodes inside subgraphs, maps and loops", () => {
  it("belong to the canvas node their path starts with", () => {
    expect(topOf("s/add")).toBe("s");
    expect(topOf("map/3/inner/f")).toBe("map");
    expect(topOf("add_1")).toBeNull();
  });

  it("are grouped under their node's card", () => {
    const { top, inner: within } = groupCards<{ id: string; parent?: string }>([{ id: "a" }, { id: "s/x", parent: "s" }, { id: "s" }, { id: "s/y", parent: "s" }]);
    expect(top.map((e) => e.id)).toEqual(["a", "s"]);
    expect(within.get("s")?.map((e) => e.id)).toEqual(["s/x", "s/y"]);
  });
});

describe("a subgraph node's status, made from its inner nodes'", () => {
  it("runs while any inner node runs, and ends when its outputs have", () => {
    expect(groupStatus([inner("s/x", "completed"), inner("s/f", "executing")], ["s/out"], false)).toEqual({ status: "executing" });
    expect(groupStatus([inner("s/x", "completed"), inner("s/f", "completed")], ["s/out"], false)).toEqual({ status: "executing" });
    expect(groupStatus([inner("s/f", "completed"), inner("s/out", "completed")], ["s/out"], false)).toEqual({ status: "completed" });
  });

  it("runs while an inner node is retrying, counted as running", () => {
    const nodes = [inner("s/x", "completed"), inner("s/f", "retrying")];
    expect(groupStatus(nodes, ["s/out"], false)).toEqual({ status: "executing" });
    expect(groupStatus(nodes, undefined, true)).toEqual({ status: "executing" });
    expect(innerSummary(nodes)).toBe("2 inside · 1 done · 1 running");
  });

  it("not knowing its outputs, ends with the run", () => {
    expect(groupStatus([inner("s/f", "completed")], undefined, false)).toEqual({ status: "executing" });
    expect(groupStatus([inner("s/f", "completed")], undefined, true)).toEqual({ status: "completed" });
  });

  it("failed when an inner node failed itself, naming it", () => {
    expect(groupStatus([inner("s/d", "error", "division by zero"), inner("s/out", "error", "Input 'input' failed: node 's/d' (divide) did not complete", "upstream")], ["s/out"], false)).toEqual({
      status: "error",
      error: "node 's/d' (add): division by zero",
    });
  });

  it("skipped on a branch not taken; not run when its input failed; cancelled with the run", () => {
    expect(groupStatus([inner("s/x", "skipped"), inner("s/out", "skipped")], ["s/out"], false)).toEqual({ status: "skipped" });
    const lost = "Input 'input' failed: node 'd' (divide) did not complete";
    expect(groupStatus([inner("s/x", "error", lost, "upstream"), inner("s/out", "error", lost, "upstream")], ["s/out"], false)).toEqual({ status: "error", error: lost, error_kind: "upstream" });
    expect(groupStatus([inner("s/out", "error", "cancelled", "cancelled")], ["s/out"], true)).toMatchObject({ status: "error", error_kind: "cancelled" });
  });

  it("says how its inner nodes went", () => {
    expect(innerSummary([inner("a", "completed"), inner("b", "executing"), inner("c", "skipped"), inner("d", "error", "x", "upstream")])).toBe("4 inside · 1 done · 1 running · 1 skipped · 1 not run");
  });
});
