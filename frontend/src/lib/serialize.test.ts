import { describe, expect, it } from "vitest";
import { SCHEMAS } from "../test/renderFlow";
import { createNode, newNodeId } from "./factory";
import type { PsyEdge, PsyNode } from "./model";
import { exportWorkflow, parseWorkflow, toExecuteRequest } from "./serialize";
import { preRunIssues } from "./validate";

const schemaOf = (name: string) => SCHEMAS.find((s) => s.name === name);

describe("new nodes", () => {
  it("get ids the backend accepts", () => {
    expect(newNodeId("other.add", new Set())).toBe("other_add_1");
    expect(newNodeId("add", new Set(["add_1", "add_2"]))).toBe("add_3");
  });

  it("carry their defaults in data", () => {
    const node = createNode({ type: "functionNode", name: "CountWithProgress" }, { x: 0, y: 0 }, new Set(), schemaOf);
    expect(node?.data).toEqual({ functionName: "CountWithProgress", count: 10, delay_ms: 100 });
    const cfg = createNode({ type: "functionNode", name: "configure" }, { x: 0, y: 0 }, new Set(), schemaOf);
    expect(cfg?.data).toMatchObject({ functionName: "configure", count: 3, flag: false, choice: "x" });
  });

  it("are null for unknown functions", () => {
    expect(createNode({ type: "functionNode", name: "nope" }, { x: 0, y: 0 }, new Set(), schemaOf)).toBeNull();
  });
});

const nodes: PsyNode[] = [
  { id: "v1", type: "variableNode", position: { x: 1.4, y: 2 }, data: { variableType: "Number", variableValue: "5", variableName: "" } },
  { id: "f1", type: "functionNode", position: { x: 100, y: 0 }, data: { functionName: "add", b: 3, stray: "x", a: "" } },
  { id: "l1", type: "listNode", position: { x: 200, y: 0 }, data: {} },
  { id: "w1", type: "viewNode", position: { x: 300, y: 0 }, data: {} },
];
const edges: PsyEdge[] = [
  { id: "e1", source: "v1", target: "f1", sourceHandle: "output", targetHandle: "a" },
  { id: "e2", source: "f1", target: "w1", sourceHandle: "output", targetHandle: "input" },
];

describe("toExecuteRequest", () => {
  it("sends the documented node and edge shapes", () => {
    const request = toExecuteRequest(nodes, edges, schemaOf, { KEY: "secret" });
    expect(request.nodes).toEqual([
      { id: "v1", type: "variableNode", data: { variableType: "Number", variableValue: "5" }, position: { x: 1, y: 2 } },
      { id: "f1", type: "functionNode", data: { functionName: "add", b: 3 }, position: { x: 100, y: 0 } },
      { id: "l1", type: "listNode", data: {}, position: { x: 200, y: 0 } },
      { id: "w1", type: "viewNode", data: {}, position: { x: 300, y: 0 } },
    ]);
    expect(request.edges[0]).toEqual({ source: "v1", target: "f1", sourceHandle: "output", targetHandle: "a" });
    expect(request.env_vars).toEqual({ KEY: "secret" });
  });

  it("leaves out message formats a variable's type does not offer (left from another type)", () => {
    const stale: PsyNode = {
      id: "n",
      type: "variableNode",
      position: { x: 0, y: 0 },
      data: { variableType: "Number", variableValue: "4", llmMessageFormat: true, textContentFormat: true, imageContentFormat: true },
    };
    const image: PsyNode = { ...stale, id: "i", data: { ...stale.data, variableType: "Image" } };
    const [number, picture] = toExecuteRequest([stale, image], [], schemaOf).nodes;
    expect(number.data).toEqual({ variableType: "Number", variableValue: "4" });
    expect(picture.data).toEqual({ variableType: "Image", variableValue: "4", llmMessageFormat: true, imageContentFormat: true });
  });

  it("leaves env_vars out when there are none", () => {
    expect(toExecuteRequest(nodes, edges, schemaOf, {})).not.toHaveProperty("env_vars");
  });
});

describe("workflow files", () => {
  it("round-trip nodes, positions and edges", () => {
    const parsed = parseWorkflow(JSON.stringify(exportWorkflow(nodes, edges)));
    expect(parsed.nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      ["v1", "variableNode", { x: 1, y: 2 }],
      ["f1", "functionNode", { x: 100, y: 0 }],
      ["l1", "listNode", { x: 200, y: 0 }],
      ["w1", "viewNode", { x: 300, y: 0 }],
    ]);
    expect(parsed.edges).toHaveLength(2);
  });

  it("accept edges without ids and drop edges to missing nodes", () => {
    const parsed = parseWorkflow(
      JSON.stringify({
        nodes: [{ id: "a", type: "viewNode", data: {} }],
        edges: [{ source: "a", target: "ghost", sourceHandle: "output", targetHandle: "input" }],
      }),
    );
    expect(parsed.nodes[0].position).toEqual({ x: 0, y: 0 });
    expect(parsed.edges).toEqual([]);
  });

  it("reject what is not a workflow, saying why", () => {
    expect(() => parseWorkflow("nope")).toThrow(/JSON/);
    expect(() => parseWorkflow("{}")).toThrow(/nodes/);
    expect(() => parseWorkflow('{"nodes":[{"id":"x","type":"bogus"}],"edges":[]}')).toThrow(/bogus/);
    expect(() => parseWorkflow('{"nodes":[{"id":"x","type":"viewNode"},{"id":"x","type":"viewNode"}],"edges":[]}')).toThrow(/twice/);
  });
});

describe("pre-run validation", () => {
  it("names required inputs that are neither wired nor filled", () => {
    const graph: PsyNode[] = [{ id: "f1", type: "functionNode", position: { x: 0, y: 0 }, data: { functionName: "add", a: "" } }];
    const issues = preRunIssues(graph, [], schemaOf);
    expect(issues.map((i) => i.message)).toEqual([
      "add (f1): input 'a' is not connected and has no value",
      "add (f1): input 'b' is not connected and has no value",
    ]);
  });

  it("is happy with wired or filled inputs and defaults", () => {
    expect(preRunIssues(nodes, edges, schemaOf)).toEqual([]);
    const counted: PsyNode[] = [{ id: "c", type: "functionNode", position: { x: 0, y: 0 }, data: { functionName: "CountWithProgress" } }];
    expect(preRunIssues(counted, [], schemaOf)).toEqual([]);
  });

  it("flags unknown functions, bad JSON variables and an empty canvas", () => {
    const graph: PsyNode[] = [
      { id: "f", type: "functionNode", position: { x: 0, y: 0 }, data: { functionName: "gone" } },
      { id: "v", type: "variableNode", position: { x: 0, y: 0 }, data: { variableType: "List", variableValue: "[1," } },
      { id: "o", type: "variableNode", position: { x: 0, y: 0 }, data: { variableType: "Object", variableValue: "[1]" } },
    ];
    expect(preRunIssues(graph, [], schemaOf).map((i) => i.nodeId)).toEqual(["f", "v", "o"]);
    expect(preRunIssues([], [], schemaOf)).toHaveLength(1);
  });
});
