import { beforeEach, describe, expect, it, vi } from "vitest";
import { copySelection, pasteClipboard } from "../lib/clipboard";
import type { PsyNode } from "../lib/model";
import { useGraphStore } from "./graphStore";

const v = (id: string, x = 0): PsyNode => ({
  id,
  type: "variableNode",
  position: { x, y: 0 },
  data: { variableType: "Number", variableValue: "1" },
});
const g = () => useGraphStore.getState();

beforeEach(() => {
  useGraphStore.setState({ nodes: [], edges: [], past: [], future: [], lastTag: null, lastAt: 0 });
});

describe("graph store", () => {
  it("adds and removes nodes, removing their wires too", () => {
    g().addNodes([v("a"), v("b")]);
    g().connect({ source: "a", target: "b", sourceHandle: "output", targetHandle: "x" });
    expect(g().nodes).toHaveLength(2);
    expect(g().edges).toHaveLength(1);
    g().removeNodes(["a"]);
    expect(g().nodes.map((n) => n.id)).toEqual(["b"]);
    expect(g().edges).toHaveLength(0);
  });

  it("undoes and redoes each step", () => {
    g().addNodes([v("a")]);
    g().addNodes([v("b")]);
    g().removeNodes(["a"]);
    expect(g().nodes.map((n) => n.id)).toEqual(["b"]);
    g().undo();
    expect(g().nodes.map((n) => n.id)).toEqual(["a", "b"]);
    g().undo();
    expect(g().nodes.map((n) => n.id)).toEqual(["a"]);
    g().redo();
    expect(g().nodes.map((n) => n.id)).toEqual(["a", "b"]);
    g().redo();
    expect(g().nodes.map((n) => n.id)).toEqual(["b"]);
    g().redo(); // nothing left
    expect(g().nodes.map((n) => n.id)).toEqual(["b"]);
  });

  it("a new edit after undo drops the redo stack", () => {
    g().addNodes([v("a")]);
    g().undo();
    expect(g().future).toHaveLength(1);
    g().addNodes([v("c")]);
    expect(g().future).toHaveLength(0);
  });

  it("coalesces typing into the same field into one undo step", () => {
    vi.useFakeTimers();
    g().addNodes([v("a")]);
    g().updateNodeData("a", { variableValue: "1" });
    vi.advanceTimersByTime(200);
    g().updateNodeData("a", { variableValue: "12" });
    vi.advanceTimersByTime(200);
    g().updateNodeData("a", { variableValue: "123" });
    expect(g().nodes[0].data.variableValue).toBe("123");
    g().undo();
    expect(g().nodes[0].data.variableValue).toBe("1");
    vi.advanceTimersByTime(5000);
    g().redo();
    g().updateNodeData("a", { variableValue: "9" });
    g().undo();
    expect(g().nodes[0].data.variableValue).toBe("123");
    vi.useRealTimers();
  });

  it("records data edits that React Flow sends as replace changes", () => {
    g().addNodes([v("a")]);
    const node = g().nodes[0];
    g().onNodesChange([{ type: "replace", id: "a", item: { ...node, data: { ...node.data, variableValue: "7" } } as PsyNode }]);
    expect(g().nodes[0].data.variableValue).toBe("7");
    g().undo();
    expect(g().nodes[0].data.variableValue).toBe("1");
  });

  it("does not record selection or measuring as undo steps", () => {
    g().addNodes([v("a")]);
    const before = g().past.length;
    g().onNodesChange([{ type: "select", id: "a", selected: true }]);
    g().onNodesChange([{ type: "dimensions", id: "a", dimensions: { width: 100, height: 50 } }]);
    expect(g().past.length).toBe(before);
  });

  it("deleting a node and its wires in one gesture is one undo step", () => {
    g().addNodes([v("a"), v("b")]);
    g().connect({ source: "a", target: "b", sourceHandle: "output", targetHandle: "x" });
    const edgeId = g().edges[0].id;
    g().onEdgesChange([{ type: "remove", id: edgeId }]);
    g().onNodesChange([{ type: "remove", id: "a" }]);
    expect(g().nodes).toHaveLength(1);
    g().undo();
    expect(g().nodes).toHaveLength(2);
    expect(g().edges).toHaveLength(1);
  });

  it("replaces the wire into an input that is already taken", () => {
    g().addNodes([v("a"), v("b"), v("c")]);
    g().connect({ source: "a", target: "c", sourceHandle: "output", targetHandle: "x" });
    g().connect({ source: "b", target: "c", sourceHandle: "output", targetHandle: "x" });
    expect(g().edges.map((e) => e.source)).toEqual(["b"]);
  });

  it("pastes copies with new ids, wires between them kept", () => {
    g().addNodes([{ ...v("variable_1"), selected: true }, { ...v("variable_2"), selected: true }, v("variable_3")]);
    g().connect({ source: "variable_1", target: "variable_2", sourceHandle: "output", targetHandle: "x" });
    expect(copySelection(g().nodes, g().edges)).toBe(2);
    const pasted = pasteClipboard(g().nodes);
    g().addNodes(pasted.nodes, pasted.edges, true);
    const ids = g().nodes.map((n) => n.id);
    expect(new Set(ids).size).toBe(5);
    expect(pasted.nodes.map((n) => n.id)).toEqual(["variable_4", "variable_5"]);
    expect(pasted.edges[0]).toMatchObject({ source: "variable_4", target: "variable_5" });
    expect(g().nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(["variable_4", "variable_5"]);
    g().undo();
    expect(g().nodes).toHaveLength(3);
  });
});
