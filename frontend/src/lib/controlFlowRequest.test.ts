import { describe, expect, it } from "vitest";
import { SCHEMAS } from "../test/renderFlow";
import { fn, subgraph, variable, view, wire } from "../test/graphs";
import { createNode } from "./factory";
import type { LoopNodeType, MapNodeType, PsyNode, SwitchNodeType } from "./model";
import { graphFromWorkflow, toExecuteRequest } from "./serialize";
import { preRunIssues } from "./validate";
import type { LoadedWorkflow, WorkflowInterface } from "./workflowInterface";
import { workflowNodeProblems } from "./workflowNodeCheck";

const schemaOf = (name: string) => SCHEMAS.find((s) => s.name === name);
const at = { x: 0, y: 0 };
const sw: SwitchNodeType = { id: "sw", type: "switchNode", position: at, data: { cases: ["red", "7"] } };
const map: MapNodeType = { id: "m", type: "mapNode", position: at, data: { workflow: "inc", version: 2, itemInput: "x", concurrency: 8, continueOnError: true } };
const loop: LoopNodeType = { id: "l", type: "loopNode", position: at, data: { workflow: "double", whileOutput: "more", maxIterations: 10 } };

describe("the wire format of control flow (docs/api.md)", () => {
  it("sends each node's data as the gateway reads it", () => {
    const nodes: PsyNode[] = [
      { id: "i", type: "ifNode", position: at, data: {} },
      sw,
      subgraph("s", "inc", 3),
      subgraph("s2", "inc"),
      map,
      loop,
      view("v", "total"),
      view("w"),
    ];
    const sent = Object.fromEntries(toExecuteRequest(nodes, [], schemaOf).nodes.map((n) => [n.id, [n.type, n.data]]));
    expect(sent).toEqual({
      i: ["ifNode", {}],
      sw: ["switchNode", { cases: ["red", "7"] }],
      s: ["subgraphNode", { workflow: "inc", version: 3 }],
      s2: ["subgraphNode", { workflow: "inc" }],
      m: ["mapNode", { workflow: "inc", version: 2, itemInput: "x", concurrency: 8, continueOnError: true }],
      l: ["loopNode", { workflow: "double", whileOutput: "more", maxIterations: 10 }],
      v: ["viewNode", { viewName: "total" }],
      w: ["viewNode", {}],
    });
  });

  it("new nodes start with the gateway's defaults, and workflow files with them load", () => {
    const taken = new Set<string>();
    expect(createNode({ type: "mapNode" }, at, taken, schemaOf)?.data).toEqual({ workflow: "", itemInput: "", concurrency: 4, continueOnError: false });
    expect(createNode({ type: "loopNode" }, at, taken, schemaOf)?.data).toEqual({ workflow: "", whileOutput: "", maxIterations: 100 });
    expect(createNode({ type: "subgraphNode", workflow: "inc" }, at, taken, schemaOf)).toMatchObject({ id: "subgraph_1", data: { workflow: "inc" } });
    expect(createNode({ type: "switchNode" }, at, taken, schemaOf)?.data).toEqual({ cases: [] });
    const loaded = graphFromWorkflow({ nodes: [sw, map, loop, { id: "i", type: "ifNode", data: {} }], edges: [wire("i", "sw", "value", "true")] });
    expect(loaded.nodes.map((n) => n.type)).toEqual(["switchNode", "mapNode", "loopNode", "ifNode"]);
    expect(loaded.edges).toHaveLength(1);
  });
});

describe("checks before a run", () => {
  it("an If needs its condition wired, a Switch its value and distinct cases", () => {
    const nodes: PsyNode[] = [{ id: "i", type: "ifNode", position: at, data: {} }, { ...sw, data: { cases: ["a", "a", "default"] } }];
    expect(preRunIssues(nodes, [], schemaOf).map((i) => i.message)).toEqual([
      "If (i): wire its condition",
      "Switch (sw): wire its value",
      "Switch (sw): 'default' is its fallback output, not a case",
      "Switch (sw): case 'a' is listed twice",
    ]);
  });

  const iface: WorkflowInterface = { inputs: [{ name: "x", type: "float" }, { name: "k", type: "Any" }], outputs: [{ name: "result", type: "float", viewId: "out" }] };
  const ready: LoadedWorkflow = { status: "ready", version: 2 };

  it("a workflow node says when its workflow is missing, or is wired to ports it no longer has", () => {
    const s = subgraph("s", "inc");
    if (s.type !== "subgraphNode") throw new Error("a subgraph node");
    expect(workflowNodeProblems({ ...s, data: { workflow: "" } }, [], undefined, undefined)).toEqual(["Pick the workflow it runs"]);
    expect(workflowNodeProblems(s, [], { status: "missing" }, undefined)).toEqual(["No saved workflow 'inc'"]);
    expect(workflowNodeProblems({ ...s, data: { workflow: "inc", version: 9 } }, [], { status: "missing" }, undefined)).toEqual(["Version 9 of 'inc' is not saved"]);
    const edges = [wire("v", "s", "y"), wire("s", "w", "input", "total"), wire("v2", "s", "x")];
    expect(workflowNodeProblems(s, edges, ready, iface)).toEqual([
      "Input 'y' is wired, but 'inc' has no such input (its inputs: x, k)",
      "Output 'total' is wired, but 'inc' has no such output (its outputs: result)",
    ]);
  });

  it("a map needs its item input and its list; a loop its condition", () => {
    expect(workflowNodeProblems({ ...map, data: { ...map.data, itemInput: "zz" } }, [], ready, iface)).toEqual(["Item input 'zz' is not an input of 'inc' (its inputs: x, k)"]);
    expect(workflowNodeProblems(map, [wire("xs", "m", "x")], ready, iface)).toEqual(["Input 'x' is wired, but 'inc' has no such input (its inputs: items, k)"]);
    expect(workflowNodeProblems(loop, [], ready, iface)).toEqual(["'more' is not an output of 'double' (its outputs: result)"]);
    const issues = preRunIssues([map, variable("xs", "[1]", "List"), fn("f", "add"), view("w")], [], schemaOf, undefined, () => ({ loaded: ready, iface }));
    expect(issues.filter((i) => i.nodeId === "m").map((i) => i.message)).toEqual(["Map (m): Wire the list it maps over into 'items'"]);
  });
});
