import { describe, expect, it } from "vitest";
import { SCHEMAS } from "../test/renderFlow";
import { fn, subgraph, variable, view, wire } from "../test/graphs";
import { checkConnection, inputType, mapItemsType, mapOutputType, outputType, type InterfaceLookup } from "./typecheck";
import type { MapNodeType, PsyNode } from "./model";
import { narrowest, workflowInterface, type WorkflowInterface } from "./workflowInterface";

const schemaOf = (name: string) => SCHEMAS.find((s) => s.name === name);

// x -> add.a, n -> int_add.a and add.b, text -> format_text.template; add -> "sum", split_name.first -> view "first"
const inner = {
  nodes: [
    variable("x", "1", "Number", "x"),
    variable("n", "2", "Number", "n"),
    variable("text", "", "String", "text"),
    variable("plain", "3"),
    fn("add", "add"),
    fn("ia", "int_add"),
    fn("fmt", "format_text"),
    fn("split", "split_name"),
    view("sum", "total"),
    view("v_first"),
  ],
  edges: [
    wire("x", "add", "a"),
    wire("n", "ia", "a"),
    wire("n", "add", "b"),
    wire("text", "fmt", "template"),
    wire("text", "split", "full_name"),
    wire("add", "sum", "input"),
    wire("split", "v_first", "input", "first"),
  ],
};

describe("a workflow's interface", () => {
  it("has its named Variables as inputs, typed by what they feed (the narrowest)", () => {
    const iface = workflowInterface(inner.nodes, inner.edges, schemaOf);
    expect(iface.inputs).toEqual([
      { name: "x", type: "float" },
      { name: "n", type: "int" }, // an int feeds the float too
      { name: "text", type: "str" },
    ]);
  });

  it("has its Views as outputs, named by viewName else their id, typed by what feeds them", () => {
    const iface = workflowInterface(inner.nodes, inner.edges, schemaOf);
    expect(iface.outputs).toEqual([
      { name: "total", type: "float", viewId: "sum" },
      { name: "v_first", type: "str", viewId: "v_first" },
    ]);
  });

  it("calls an input fed to nothing typed, or to clashing types, by what it can", () => {
    expect(narrowest([])).toBe("Any");
    expect(narrowest(["Any", "str"])).toBe("str");
    expect(narrowest(["float", "int"])).toBe("int");
    expect(narrowest(["str", "float"])).toBe("str");
    const lonely = workflowInterface([variable("y", "1", "Number", "y"), view("w")], [], schemaOf);
    expect(lonely.inputs).toEqual([{ name: "y", type: "Any" }]);
    expect(lonely.outputs).toEqual([{ name: "w", type: "Any", viewId: "w" }]);
  });

  it("reads an inner subgraph's ports through its own interface", () => {
    const nested: WorkflowInterface = { inputs: [{ name: "k", type: "int" }], outputs: [{ name: "r", type: "str", viewId: "r" }] };
    const interfaceOf: InterfaceLookup = (node) => (node.data.workflow === "deep" ? nested : undefined);
    const iface = workflowInterface(
      [variable("k", "1", "Number", "k"), subgraph("s", "deep"), view("out")],
      [wire("k", "s", "k"), wire("s", "out", "input", "r")],
      schemaOf,
      interfaceOf,
    );
    expect(iface).toEqual({ inputs: [{ name: "k", type: "int" }], outputs: [{ name: "out", type: "str", viewId: "out" }] });
  });
});

describe("wires into and out of a workflow node", () => {
  const iface = workflowInterface(inner.nodes, inner.edges, schemaOf);
  const interfaceOf: InterfaceLookup = () => iface;
  const s = subgraph("s", "inner");
  const m: MapNodeType = { id: "m", type: "mapNode", position: { x: 0, y: 0 }, data: { workflow: "inner", itemInput: "x", concurrency: 4, continueOnError: false } };
  const nodes: PsyNode[] = [s, m, variable("num", "1"), variable("words", "a", "String"), variable("xs", "[1]", "List"), fn("up", "format_text"), fn("cfg", "configure")];

  it("are typed like any node's", () => {
    expect(inputType(s, "n", schemaOf, interfaceOf)).toBe("int");
    expect(inputType(s, "nope", schemaOf, interfaceOf)).toBeNull();
    expect(outputType(s, "total", schemaOf, interfaceOf)).toBe("float");
    const refused = checkConnection(wire("words", "s", "x"), nodes, [], schemaOf, interfaceOf);
    expect(refused.ok).toBe(false);
    expect(refused.reason).toContain("cannot feed float input 'x'");
    expect(checkConnection(wire("num", "s", "x"), nodes, [], schemaOf, interfaceOf).ok).toBe(true);
    expect(checkConnection(wire("s", "up", "template", "v_first"), nodes, [], schemaOf, interfaceOf).ok).toBe(true);
    expect(checkConnection(wire("s", "up", "template", "total"), nodes, [], schemaOf, interfaceOf).ok).toBe(false);
  });

  it("a map takes a list of what its item input takes, and gives a list of what its item gives", () => {
    expect(mapItemsType(iface, "x")).toBe("list[float]");
    expect(mapOutputType(iface)).toBe("list[dict]");
    expect(mapOutputType({ inputs: [], outputs: [iface.outputs[0]] })).toBe("list[float]");
    expect(inputType(m, "items", schemaOf, interfaceOf)).toBe("list[float]");
    expect(inputType(m, "x", schemaOf, interfaceOf)).toBeNull(); // each item goes there
    expect(inputType(m, "n", schemaOf, interfaceOf)).toBe("int");
    expect(outputType(m, "output", schemaOf, interfaceOf)).toBe("list[dict]");
    expect(checkConnection(wire("xs", "m", "items"), nodes, [], schemaOf, interfaceOf).ok).toBe(true);
    expect(checkConnection(wire("m", "cfg", "items"), nodes, [], schemaOf, interfaceOf).ok).toBe(false); // list[dict] into list[int]
  });

  it("are not judged while the workflow is not known", () => {
    expect(inputType(s, "anything", schemaOf)).toBe("Any");
    expect(outputType(m, "output", schemaOf)).toBe("list");
  });
});
