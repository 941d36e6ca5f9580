import { describe, expect, it } from "vitest";
import { SCHEMAS } from "../test/renderFlow";
import { fn, variable, view, wire } from "../test/graphs";
import { groupSelection } from "./grouping";
import type { PsyEdge, PsyNode } from "./model";
import { workflowInterface } from "./workflowInterface";

const schemaOf = (name: string) => SCHEMAS.find((s) => s.name === name);

/**
 * What a view computes, as an expression over the graph's values, with subgraph
 * nodes expanded the way the gateway plans them (subgraphs.py): a fed named
 * Variable passes its input on, a View passes its input out.
 */
function expression(nodes: PsyNode[], edges: PsyEdge[], workflows: Record<string, { nodes: PsyNode[]; edges: PsyEdge[] }>, viewId: string): string {
  const find = (graph: { nodes: PsyNode[]; edges: PsyEdge[] }, id: string) => graph.nodes.find((n) => n.id === id)!;
  const valueOf = (graph: { nodes: PsyNode[]; edges: PsyEdge[] }, id: string, handle: string | null | undefined, outer: ((name: string) => string | null) | null): string => {
    const node = find(graph, id);
    const input = (target: string, targetHandle: string) => {
      const e = graph.edges.find((edge) => edge.target === target && edge.targetHandle === targetHandle);
      return e ? valueOf(graph, e.source, e.sourceHandle, outer) : null;
    };
    switch (node.type) {
      case "variableNode": {
        const fed = node.data.variableName && outer ? outer(String(node.data.variableName)) : null;
        return fed ?? JSON.stringify(node.data.variableValue);
      }
      case "functionNode": {
        const params = Object.keys(node.data).filter((k) => k !== "functionName");
        const wired = graph.edges.filter((e) => e.target === id).map((e) => e.targetHandle ?? "");
        const args = [...new Set([...params, ...wired])].sort().map((k) => `${k}=${input(id, k) ?? JSON.stringify(node.data[k])}`);
        return `${node.data.functionName}(${args.join(",")})${handle && handle !== "output" ? `.${handle}` : ""}`;
      }
      case "subgraphNode": {
        const inner = workflows[node.data.workflow];
        const out = inner.nodes.find((n) => n.type === "viewNode" && (n.data.viewName || n.id) === handle)!;
        const e = inner.edges.find((edge) => edge.target === out.id);
        return e ? valueOf(inner, e.source, e.sourceHandle, (name) => input(id, name)) : "null";
      }
      default:
        return `${node.type}(${id})`;
    }
  };
  const graph = { nodes, edges };
  const into = edges.find((e) => e.target === viewId)!;
  return valueOf(graph, into.source, into.sourceHandle, null);
}

// (A + B) -> multiply(x2) -> W; (A + B) -> W2; split_name(T).last -> W3
const nodes: PsyNode[] = [
  variable("A", "5"),
  variable("B", "3"),
  variable("T", "Ada Lovelace", "String"),
  variable("N", "7", "Number", "outer_input"),
  fn("F1", "add"),
  fn("F2", "add", { b: 2 }),
  fn("S", "split_name"),
  view("W"),
  view("W2"),
  view("W3"),
];
const edges: PsyEdge[] = [
  wire("A", "F1", "a"),
  wire("B", "F1", "b"),
  wire("F1", "F2", "a"),
  wire("F2", "W", "input"),
  wire("F1", "W2", "input"),
  wire("T", "S", "full_name"),
  wire("S", "W3", "input", "last"),
];

describe("group selection into subgraph", () => {
  it("makes wires into the selection inputs and wires out of it outputs, and the views compute the same", () => {
    const grouped = groupSelection(nodes, edges, new Set(["F1", "F2", "S"]), "grp", schemaOf);
    expect(grouped.inputs).toEqual(["a", "b", "full_name"]);
    expect(grouped.outputs).toEqual(["F2", "F1", "S_last"]);
    const inner = grouped.inner;
    const iface = workflowInterface(inner.nodes, inner.edges, schemaOf);
    expect(iface.inputs.map((i) => [i.name, i.type])).toEqual([
      ["a", "float"],
      ["b", "float"],
      ["full_name", "str"],
    ]);
    expect(iface.outputs.map((o) => [o.name, o.type])).toEqual([
      ["F2", "float"],
      ["F1", "float"],
      ["S_last", "str"],
    ]);
    // The canvas: the selection gone, one Subgraph node wired the same, the views where they were.
    const outer = grouped.outer;
    expect(outer.nodes.map((n) => n.id).sort()).toEqual(["A", "B", "N", "T", "W", "W2", "W3", "subgraph_1"].sort());
    expect(outer.nodes.find((n) => n.id === "subgraph_1")).toMatchObject({ type: "subgraphNode", data: { workflow: "grp" }, selected: true });
    for (const w of ["W", "W2", "W3"]) {
      expect(expression(outer.nodes, outer.edges, { grp: inner }, w)).toBe(expression(nodes, edges, {}, w));
    }
    expect(expression(outer.nodes, outer.edges, { grp: inner }, "W")).toBe('add(a=add(a="5",b="3"),b=2)');
  });

  it("gives one input per value coming in, whatever it feeds inside, with the outside variable's value as its default", () => {
    const twice = [...edges.filter((e) => e.target !== "F1"), wire("A", "F1", "a"), wire("A", "F1", "b")];
    const grouped = groupSelection(nodes, twice, new Set(["F1"]), "g", schemaOf);
    expect(grouped.inputs).toEqual(["a"]);
    const input = grouped.inner.nodes.find((n) => n.type === "variableNode")!;
    expect(input.data).toMatchObject({ variableName: "a", variableType: "Number", variableValue: "5" });
    expect(grouped.inner.edges.filter((e) => e.source === input.id).map((e) => e.targetHandle)).toEqual(["a", "b"]);
    expect(grouped.outputs).toEqual(["result"]); // one value going out, to F2 and W2
  });

  it("names a lone output 'result' and gives a computed input an empty default of its type", () => {
    const grouped = groupSelection(nodes, edges, new Set(["F2"]), "g", schemaOf);
    expect(grouped.outputs).toEqual(["result"]);
    expect(grouped.inner.nodes.find((n) => n.type === "variableNode")?.data).toMatchObject({ variableName: "a", variableType: "Number", variableValue: "0" });
  });

  it("leaves views and named variables outside: they are the outer graph's results and inputs", () => {
    const grouped = groupSelection(nodes, edges, new Set(["F1", "W2", "N"]), "g", schemaOf);
    expect(grouped.outer.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(["W2", "N"]));
    expect(grouped.inner.nodes.map((n) => n.id)).not.toContain("W2");
    expect(() => groupSelection(nodes, edges, new Set(["W", "N"]), "g", schemaOf)).toThrow(/Select the nodes to group/);
  });

  it("refuses a selection an outside node would feed back into (a cycle)", () => {
    expect(() => groupSelection(nodes, edges, new Set(["F1", "W"]), "g", schemaOf)).not.toThrow();
    const loop = [...edges, wire("F2", "S", "full_name")].filter((e) => !(e.source === "T"));
    expect(() => groupSelection(nodes, loop, new Set(["F1", "S"]), "g", schemaOf)).toThrow(/'F2' takes a value from the selection and gives one back/);
  });
});
