import { describe, expect, it } from "vitest";
import type { ErrorKind, NodeStatus } from "../api/types";
import { errorKindOf, nodeDisplay, notRunText, PHASE_LABEL, runOutcome, tally, tallyText, upstreamOf } from "./runStatus";

const UPSTREAM = "Input 'a' failed: node 'divide_1' (divide) did not complete";

describe("run status vocabulary", () => {
  it("labels a run the same whatever reports it: the badge's phase or the API's status", () => {
    expect([PHASE_LABEL.done, PHASE_LABEL.failed, PHASE_LABEL.cancelled]).toEqual(["Done", "Failed", "Cancelled"]);
  });

  it("ends a run as the gateway does: a node that did not complete fails it", () => {
    expect(runOutcome(null, 0)).toBe("done");
    expect(runOutcome(null, 2)).toBe("failed");
    expect(runOutcome("Graph contains a cycle: a -> b -> a", 0)).toBe("failed");
    expect(runOutcome("cancelled", 3)).toBe("cancelled");
    expect(runOutcome(null, 1, true)).toBe("cancelled");
  });

  it("tells a node that never ran from one that failed, by field or by the gateway's words", () => {
    expect(errorKindOf("division by zero")).toBeNull();
    expect(errorKindOf(UPSTREAM)).toBe("upstream");
    expect(errorKindOf("anything", "upstream")).toBe("upstream");
    expect(errorKindOf("cancelled")).toBe("cancelled");
    expect(errorKindOf("Input 'a' failed: because")).toBeNull();
    expect(nodeDisplay("error", null)).toBe("error");
    expect(nodeDisplay("error", "upstream")).toBe("skipped");
    expect(nodeDisplay("error", "cancelled")).toBe("cancelled");
    expect(nodeDisplay("streaming", null)).toBe("streaming");
    expect(nodeDisplay(undefined, null)).toBe("idle");
  });

  it("says which input a skipped node waited for", () => {
    expect(upstreamOf(UPSTREAM)).toEqual({ input: "a", nodeId: "divide_1", name: "divide" });
    expect(notRunText("skipped", UPSTREAM)).toBe("Not run: input 'a' comes from divide_1 (divide), which failed");
    expect(notRunText("skipped", "Input 'input' failed: node 'd' (divide) did not complete")).toBe("Not run: its input comes from d (divide), which failed");
    expect(notRunText("cancelled", "cancelled")).toBe("Cancelled: the run was stopped");
    expect(notRunText("error", "boom")).toBeNull();
  });

  it("says a node on a branch not taken was skipped, not that an input failed", () => {
    expect(nodeDisplay("skipped", null)).toBe("skipped");
    expect(notRunText("skipped", undefined, "skipped")).toBe("Skipped: on a branch not taken");
    expect(notRunText("skipped", UPSTREAM, "error")).toBe("Not run: input 'a' comes from divide_1 (divide), which failed");
  });

  it("counts what happened to the nodes", () => {
    const ended = (status: NodeStatus, error_kind: ErrorKind | null = null) => ({ status, error_kind });
    const counted = tally([
      ended("completed"),
      ended("completed"),
      ended("error"),
      ended("error", "upstream"),
      ended("error", "upstream"),
      ended("error", "cancelled"),
      ended("skipped"),
    ]);
    expect(counted).toEqual({ total: 7, done: 2, failed: 1, skipped: 2, untaken: 1, cancelled: 1 });
    expect(tallyText(counted)).toBe("7 nodes · 2 done · 1 skipped · 1 failed · 2 not run · 1 cancelled");
    expect(tallyText(tally([ended("completed")]))).toBe("1 node · 1 done");
  });
});
