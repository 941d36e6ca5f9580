import { describe, expect, it } from "vitest";
import { formatDuration, formatTime, toDate } from "./format";
import type { PsyNode } from "./model";
import { graphSignature, workflowBody, workflowNameError } from "./workflows";

const node = (id: string, x = 0, value = "1"): PsyNode => ({
  id,
  type: "variableNode",
  position: { x, y: 0 },
  data: { variableType: "Number", variableValue: value },
});

describe("workflow names", () => {
  it("accepts 1-64 letters, digits, - and _", () => {
    expect(workflowNameError("sums")).toBeNull();
    expect(workflowNameError("My_flow-2")).toBeNull();
    expect(workflowNameError("x".repeat(64))).toBeNull();
  });

  it("says why a name is refused", () => {
    expect(workflowNameError("")).toMatch(/name/);
    expect(workflowNameError("x".repeat(65))).toMatch(/At most 64/);
    expect(workflowNameError("has space")).toMatch(/Only letters/);
    expect(workflowNameError("a/b")).toMatch(/Only letters/);
    expect(workflowNameError("ünï")).toMatch(/Only letters/);
  });
});

describe("workflow body and signature", () => {
  it("keeps positions (rounded) and edges with ids", () => {
    const body = workflowBody([node("a", 10.4)], [{ id: "e1", source: "a", target: "a", sourceHandle: "output", targetHandle: "x" }]);
    expect(body.nodes[0]).toMatchObject({ id: "a", position: { x: 10, y: 0 } });
    expect(body.edges[0]).toEqual({ id: "e1", source: "a", target: "a", sourceHandle: "output", targetHandle: "x" });
  });

  it("ignores selection and measuring, sees moves and edits", () => {
    const base = graphSignature([node("a")], []);
    expect(graphSignature([{ ...node("a"), selected: true, measured: { width: 10, height: 5 } }], [])).toBe(base);
    expect(graphSignature([node("a", 40)], [])).not.toBe(base);
    expect(graphSignature([node("a", 0, "2")], [])).not.toBe(base);
    expect(graphSignature([], [])).not.toBe(base);
  });
});

describe("formatting", () => {
  it("reads epoch seconds and ISO strings", () => {
    expect(toDate(1700000000)?.toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(toDate("2025-01-31T12:00:00.000Z")?.getTime()).toBe(Date.UTC(2025, 0, 31, 12));
    expect(toDate(null)).toBeNull();
    expect(toDate("not a date")).toBeNull();
    expect(formatTime(null)).toBe("—");
  });

  it("shows today's times without the date", () => {
    const now = new Date();
    expect(formatTime(now.getTime() / 1000, now)).not.toContain(String(now.getFullYear()));
    expect(formatTime("2020-03-04T05:06:07Z", now)).toContain("2020");
  });

  it("formats durations", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(42.4)).toBe("42 ms");
    expect(formatDuration(1234)).toBe("1.23 s");
    expect(formatDuration(12345)).toBe("12.3 s");
    expect(formatDuration(125_000)).toBe("2m 05s");
  });
});
