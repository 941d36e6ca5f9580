import { act } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunEvent, WorkflowBody } from "../api/types";
import type { PsyNode } from "../lib/model";
import { partialRun } from "../lib/partialRun";
import { SUBGRAPH_STACK_KEY } from "../lib/persistence";
import { exportWorkflow } from "../lib/serialize";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { useSubgraphNavStore } from "../store/subgraphNavStore";
import { useSubgraphStore } from "../store/subgraphStore";
import { canvasView, useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { mockFetch } from "../test/fetchRoutes";
import { fn, subgraph, variable, view, wire } from "../test/graphs";
import { resetStores, SCHEMAS } from "../test/renderFlow";
import { groupIntoSubgraph } from "./groupActions";
import { backTo, openSubgraph } from "./subgraphNavigation";

const ui = () => useUiStore.getState();
const graph = () => useGraphStore.getState();
const inc = { nodes: [variable("x", "0", "Number", "x"), fn("f", "add", { b: 1 }), view("out", "result")], edges: [wire("x", "f", "a"), wire("f", "out", "input")] };
const record = { name: "inc", version: 2, updated: "2025-01-31T12:00:00.000Z", workflow: exportWorkflow(inc.nodes, inc.edges) as WorkflowBody };
const ev = (node_id: string, node_name: string, status: string, output?: unknown) => ({ node_id, node_number: 1, node_name, status, output }) as RunEvent;

async function answering<T>(yes: boolean, work: () => Promise<T>): Promise<T> {
  const pending = work();
  await vi.waitFor(() => expect(ui().confirm).not.toBeNull());
  act(() => ui().answer(yes));
  return pending;
}

beforeEach(() => {
  resetStores(SCHEMAS);
  useWorkflowStore.setState({ name: "main", version: 4, signature: "sig", dirty: false, busy: false });
  useUiStore.setState({ toasts: [], dialog: null, confirm: null });
  useRunStore.getState().clear();
  useSubgraphNavStore.getState().clear();
  useSubgraphStore.setState({ byKey: {}, names: null });
});
afterEach(() => vi.unstubAllGlobals());

describe("opening a subgraph and coming back", () => {
  const outer: PsyNode[] = [variable("a", "41"), subgraph("s", "inc"), view("w")];
  const outerEdges = [wire("a", "s", "x"), wire("s", "w", "input", "result")];

  it("puts its workflow on the canvas as itself, with what the last run did inside, and the breadcrumb restores the canvas as it was", async () => {
    useGraphStore.setState({ nodes: outer, edges: outerEdges, past: [{ nodes: [], edges: [] }], future: [] });
    canvasView.current = { x: 12, y: 34, zoom: 0.8 };
    useRunStore.getState().begin(null, null, { s: ["s/out"] });
    useRunStore.getState().setRunId("r1");
    useRunStore.getState().apply([ev("s/x", "Variable", "completed", 41), ev("s/f", "add", "completed", 42), ev("s/out", "View", "completed", 42), ev("w", "View", "completed", 42), { status: "done", results: { w: 42 } }]);
    const outerRun = useRunStore.getState().entries;
    mockFetch({ "GET /workflows/inc": record, "GET /workflows/main": { ...record, name: "main" } });

    expect(await openSubgraph("s")).toBe(true);
    expect(graph().nodes.map((n) => n.id)).toEqual(["x", "f", "out"]);
    expect(graph().past).toEqual([]);
    expect(useWorkflowStore.getState()).toMatchObject({ name: "inc", version: 2, dirty: false });
    expect(useSubgraphNavStore.getState().stack.map((level) => level.open?.name)).toEqual(["main"]);
    expect(useRunStore.getState().viewResults).toEqual({ out: 42 });
    expect(useRunStore.getState().live.f.status).toBe("completed");
    const kept = JSON.parse(localStorage.getItem(SUBGRAPH_STACK_KEY)!) as unknown[];
    expect(kept[0]).toMatchObject({ nodeId: "s", open: { name: "main" } });

    // An edit inside: going back asks first; No keeps it.
    act(() => graph().updateNodeData("f", { b: 2 }));
    expect(await answering(false, () => backTo(0))).toBe(false);
    expect(graph().nodes.map((n) => n.id)).toEqual(["x", "f", "out"]);
    expect(await answering(true, () => backTo(0))).toBe(true);
    expect(graph().nodes).toBe(outer);
    expect(graph().edges).toBe(outerEdges);
    expect(graph().past).toEqual([{ nodes: [], edges: [] }]);
    expect(useWorkflowStore.getState()).toMatchObject({ name: "main", version: 4, signature: "sig" });
    expect(useRunStore.getState().entries).toBe(outerRun);
    expect(ui().viewportPending).toEqual({ x: 12, y: 34, zoom: 0.8 });
    expect(useSubgraphNavStore.getState().stack).toEqual([]);
    expect(localStorage.getItem(SUBGRAPH_STACK_KEY)).toBeNull();
  });

  it("after a partial run: a subgraph it carried over opens with what its last run did inside, and the partial run comes back with the canvas", async () => {
    useGraphStore.setState({ nodes: outer, edges: outerEdges, past: [], future: [] });
    useRunStore.getState().begin(null, null, { s: ["s/out"] });
    useRunStore.getState().apply([ev("a", "Variable", "completed", 41), ev("s/x", "Variable", "completed", 41), ev("s/f", "add", "completed", 42), ev("s/out", "View", "completed", 42), ev("w", "View", "completed", 42), { status: "done", results: { w: 42 } }]);
    // Run to a only: s and w keep what the last run showed.
    const part = partialRun(["a"], outerEdges);
    useRunStore.getState().begin(null, part, { s: ["s/out"] });
    useRunStore.getState().setRunId("r2");
    useRunStore.getState().apply([ev("a", "Variable", "completed", 41), { status: "done", results: {} }]);
    expect(useRunStore.getState().entries.filter((e) => e.carried).map((e) => e.node_id)).toEqual(["s", "s/x", "s/f", "s/out", "w"]);
    const outerRun = useRunStore.getState().entries;
    mockFetch({ "GET /workflows/inc": record });

    expect(await openSubgraph("s")).toBe(true);
    const inside = useRunStore.getState();
    expect(inside.entries.map((e) => [e.node_id, e.carried ?? false])).toEqual([
      ["x", false],
      ["f", false],
      ["out", false],
    ]);
    expect(inside.partial).toBeNull();
    expect(inside.live.f.status).toBe("completed");
    expect(inside.viewResults).toEqual({ out: 42 });

    expect(await backTo(0)).toBe(true);
    expect(useRunStore.getState().partial).toEqual(part);
    expect(useRunStore.getState().entries).toBe(outerRun);
    expect(useRunStore.getState().groupOutputs).toEqual({ s: ["s/out"] });
  });

  it("does not open while a run is going, or when the workflow cannot be fetched", async () => {
    useGraphStore.setState({ nodes: outer, edges: outerEdges });
    mockFetch({});
    expect(await openSubgraph("s")).toBe(false);
    expect(ui().toasts.at(-1)?.text).toMatch(/Could not open 'inc'/);
    useRunStore.getState().begin();
    expect(await openSubgraph("s")).toBe(false);
    expect(ui().toasts.at(-1)?.text).toMatch(/Wait until the run ends/);
    expect(graph().nodes).toBe(outer);
  });
});

describe("group into subgraph", () => {
  const nodes: PsyNode[] = [variable("A", "5"), variable("B", "3"), { ...fn("F1", "add"), selected: true }, { ...fn("F2", "add", { b: 2 }), selected: true }, view("W")];
  const edges = [wire("A", "F1", "a"), wire("B", "F1", "b"), wire("F1", "F2", "a"), wire("F2", "W", "input")];

  it("saves the selection as a new workflow and puts a Subgraph node wired the same in its place (one undo step)", async () => {
    useGraphStore.setState({ nodes, edges, past: [], future: [] });
    const { calls } = mockFetch({ "GET /workflows": { workflows: [] }, "PUT /workflows/sum2": { name: "sum2", version: 1, updated: "" } });
    const grouped = await groupIntoSubgraph("sum2");
    const body = calls.find((c) => c.method === "PUT")?.body as WorkflowBody;
    expect(body.nodes.map((n) => [n.type, n.data.variableName ?? n.data.viewName ?? n.id])).toEqual([
      ["functionNode", "F1"],
      ["functionNode", "F2"],
      ["variableNode", "a"],
      ["variableNode", "b"],
      ["viewNode", "result"],
    ]);
    expect(graph().nodes.map((n) => n.id)).toEqual(["A", "B", "W", grouped.subgraphId]);
    expect(graph().edges.map((e) => `${e.source}.${e.sourceHandle}->${e.target}.${e.targetHandle}`).sort()).toEqual([
      "A.output->subgraph_1.a",
      "B.output->subgraph_1.b",
      "subgraph_1.result->W.input",
    ]);
    // Its handles are known at once: the node shows them without asking the server.
    expect(useSubgraphStore.getState().byKey["sum2@latest"]).toMatchObject({ status: "ready", version: 1 });
    act(() => graph().undo());
    expect(graph().nodes.map((n) => n.id)).toEqual(["A", "B", "F1", "F2", "W"]);
  });

  it("refuses a name that is taken, changing nothing", async () => {
    useGraphStore.setState({ nodes, edges });
    const { calls } = mockFetch({ "GET /workflows": { workflows: [{ name: "sum2", updated: "", versions: 1 }] } });
    await expect(groupIntoSubgraph("sum2")).rejects.toThrow(/'sum2' exists already/);
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
    expect(graph().nodes).toBe(nodes);
  });
});
