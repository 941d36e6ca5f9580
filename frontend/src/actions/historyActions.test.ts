import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunDetail, RunGraph, WorkflowRecord } from "../api/types";
import { entriesFromDetail, pastRunFromDetail } from "../lib/runRecord";
import { useHistoryStore } from "../store/historyStore";
import { useRunStore } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { json, mockFetch } from "../test/fetchRoutes";
import { resetStores } from "../test/renderFlow";
import { openRunInEditor, refreshAfterRun, refreshHistory, rerun, selectRun } from "./historyActions";
import { useGraphStore } from "../store/graphStore";

const summary = (run_id: string, workflow: string | null = "sums") => ({
  run_id,
  workflow,
  status: "done" as const,
  started_at: 1700000000,
  finished_at: 1700000001.5,
  duration_ms: 1500,
  node_count: 3,
});

const detail = (workflow: string | null = "sums"): RunDetail => ({
  ...summary("r1", workflow),
  results: { W: 8 },
  errors: {},
  error: null,
  nodes: {
    A: { node_name: "Variable", status: "completed", duration_ms: 1, inputs: {}, output: 5, cached: true },
    F: { node_name: "add", status: "completed", duration_ms: 12, inputs: { a: 5, b: 3 }, output: 8 },
    W: { node_name: "View", status: "completed", duration_ms: 0, inputs: { input: 8 }, output: 8 },
  },
});

beforeEach(() => {
  resetStores();
  useWorkflowStore.setState({ name: null, version: null, signature: null, dirty: false, busy: false });
  useHistoryStore.setState({ runs: [], loading: false, error: null, onlyOpen: false, selectedId: null, detail: null, onCanvas: false });
  useUiStore.setState({ toasts: [], confirm: null });
  useRunStore.getState().clear();
});
afterEach(() => vi.unstubAllGlobals());

describe("run records", () => {
  it("become cards in server order, with durations and cache marks", () => {
    const entries = entriesFromDetail(detail());
    expect(entries.map((e) => [e.node_id, e.node_number, e.status, e.output, e.duration_ms])).toEqual([
      ["A", 1, "completed", 5, 1],
      ["F", 2, "completed", 8, 12],
      ["W", 3, "completed", 8, 0],
    ]);
    expect(entries[0].cached).toBe(true);
    expect(entries[1].cached).toBeUndefined();
  });

  it("a failed run without node errors gets a run card", () => {
    const entries = entriesFromDetail({ ...detail(), status: "failed", error: "Graph contains a cycle", nodes: {} });
    expect(entries).toEqual([expect.objectContaining({ node_id: null, status: "error", error: "Graph contains a cycle" })]);
  });

  it("times become milliseconds", () => {
    const past = pastRunFromDetail(detail());
    expect(past).toMatchObject({ runId: "r1", phase: "done", startedAt: 1700000000000, finishedAt: 1700000001500, viewResults: { W: 8 } });
  });
});

describe("history list", () => {
  it("loads the newest 50, or only the open workflow's", async () => {
    const { calls } = mockFetch({
      "GET /runs?limit=50": { runs: [summary("r2"), summary("r1", null)] },
      "GET /runs?workflow=sums&limit=50": { runs: [summary("r2")] },
    });
    await refreshHistory();
    expect(useHistoryStore.getState().runs.map((r) => r.run_id)).toEqual(["r2", "r1"]);
    useWorkflowStore.setState({ name: "sums" });
    useHistoryStore.getState().setOnlyOpen(true);
    await refreshHistory();
    expect(calls.at(-1)?.url).toBe("/runs?workflow=sums&limit=50");
    expect(useHistoryStore.getState().runs).toHaveLength(1);
  });

  it("shows a failure in the panel and as a toast", async () => {
    mockFetch({ "GET /runs?limit=50": json({ detail: "NATS is down" }, 503) });
    await refreshHistory();
    expect(useHistoryStore.getState().error).toBe("NATS is down");
    expect(useUiStore.getState().toasts.at(-1)).toMatchObject({ kind: "error", text: "History: NATS is down" });
  });

  it("after a run, reloads until the run is listed", async () => {
    let answers = 0;
    mockFetch({ "GET /runs?limit=50": () => ({ runs: ++answers < 2 ? [] : [summary("new")] }) });
    await refreshAfterRun("new", 3, 5);
    expect(answers).toBe(2);
    expect(useHistoryStore.getState().runs[0].run_id).toBe("new");
  });
});

describe("a past run", () => {
  it("of the open workflow shows its cards and its views on the canvas", async () => {
    useWorkflowStore.setState({ name: "sums" });
    mockFetch({ "GET /runs/r1": detail() });
    await selectRun("r1");
    expect(useHistoryStore.getState()).toMatchObject({ selectedId: "r1", onCanvas: true });
    const run = useRunStore.getState();
    expect(run.viewResults).toEqual({ W: 8 });
    expect(run.live.A).toEqual({ status: "completed", display: "completed", cached: true });
    expect(run.phase).toBe("done");
  });

  it("of another workflow only in the panel", async () => {
    useWorkflowStore.setState({ name: "other" });
    mockFetch({ "GET /runs/r1": detail() });
    await selectRun("r1");
    expect(useHistoryStore.getState().onCanvas).toBe(false);
    expect(useHistoryStore.getState().detail?.run_id).toBe("r1");
    expect(useRunStore.getState().viewResults).toEqual({});
  });
});

describe("re-run", () => {
  const graph = (workflow: string | null = "sums") => ({
    run_id: "r1",
    workflow,
    nodes: [
      { id: "A", type: "variableNode", position: { x: 0, y: 0 }, data: { variableType: "Number", variableValue: "5" } },
      { id: "W", type: "viewNode", position: { x: 300, y: 0 }, data: {} },
    ],
    edges: [{ source: "A", target: "W", sourceHandle: "output", targetHandle: "input" }],
  }) satisfies RunGraph;

  it("runs the run's own graph, not the canvas, and says so when it is not the canvas", async () => {
    useGraphStore.setState({ nodes: [{ id: "other", type: "viewNode", position: { x: 0, y: 0 }, data: {} }], edges: [] });
    const { calls } = mockFetch({ "GET /runs/r1/graph": graph() });
    const execute = vi.fn(() => Promise.resolve());
    await rerun({ run_id: "r1" }, execute);
    expect(calls.map((c) => c.url)).toEqual(["/runs/r1/graph"]);
    expect(execute).toHaveBeenCalledWith(
      { nodes: graph().nodes, edges: graph().edges, workflow: "sums" },
      { fromRunId: "r1", workflow: "sums" },
      null,
    );
    expect(useGraphStore.getState().nodes.map((n) => n.id)).toEqual(["other"]);
  });

  it("shows it on the canvas when the canvas is that graph (wherever its nodes are drawn)", async () => {
    useGraphStore.setState({
      nodes: graph().nodes.map((n) => ({ ...n, position: { x: n.position.x + 50, y: 9 } })) as never,
      edges: [{ id: "e", ...graph().edges[0] }],
    });
    mockFetch({ "GET /runs/r1/graph": graph(null) });
    const execute = vi.fn(() => Promise.resolve());
    await rerun({ run_id: "r1" }, execute);
    expect(execute).toHaveBeenCalledWith({ nodes: graph().nodes, edges: graph().edges }, null, null);
  });

  it("runs a partial run again to the same targets, the canvas's other nodes left as they were", async () => {
    useGraphStore.setState({ nodes: graph().nodes as never, edges: [{ id: "e", ...graph().edges[0] }] });
    mockFetch({ "GET /runs/r1/graph": { ...graph(null), targets: ["A"] } });
    const execute = vi.fn(() => Promise.resolve());
    await rerun({ run_id: "r1" }, execute);
    expect(execute).toHaveBeenCalledWith({ nodes: graph().nodes, edges: graph().edges, targets: ["A"] }, null, { targets: ["A"], nodes: ["A"] });
  });

  it("says why when the run's graph is not kept", async () => {
    mockFetch({ "GET /runs/old/graph": json({ detail: "run 'old' was recorded without its graph" }, 404) });
    const execute = vi.fn(() => Promise.resolve());
    await rerun({ run_id: "old" }, execute);
    expect(execute).not.toHaveBeenCalled();
    expect(useUiStore.getState().toasts.at(-1)).toMatchObject({ kind: "error", text: "Re-run: run 'old' was recorded without its graph" });
  });

  it("does nothing while a run is going", async () => {
    useRunStore.getState().begin();
    const execute = vi.fn(() => Promise.resolve());
    await rerun({ run_id: "r1" }, execute);
    expect(execute).not.toHaveBeenCalled();
  });
});

describe("open in editor", () => {
  // Sent without positions (by a client other than the editor): the gateway says null.
  const graph = {
    run_id: "r1",
    workflow: "sums",
    nodes: [
      { id: "A", type: "variableNode", position: null, data: { variableType: "Number", variableValue: "5" } },
      { id: "W", type: "viewNode", position: null, data: {} },
    ],
    edges: [{ source: "A", target: "W", sourceHandle: "output", targetHandle: "input" }],
  } satisfies RunGraph;

  it("puts the run's graph on the canvas (laid out when it came without positions) with its results", async () => {
    mockFetch({ "GET /runs/r1/graph": graph, "GET /workflows/sums": json({ detail: "gone" }, 404) });
    const run = { ...detail(), nodes: { A: detail().nodes.A, W: detail().nodes.W } };
    expect(await openRunInEditor(run)).toBe(true);
    const nodes = useGraphStore.getState().nodes;
    expect(nodes.map((n) => [n.id, n.position])).toEqual([
      ["A", { x: 0, y: 0 }],
      ["W", { x: 300, y: 0 }],
    ]);
    expect(useGraphStore.getState().edges).toHaveLength(1);
    expect(useWorkflowStore.getState().name).toBeNull(); // its workflow is not saved any more
    expect(useRunStore.getState().viewResults).toEqual({ W: 8 });
  });

  it("is that workflow again: clean when the graph is its newest version", async () => {
    const nodes = graph.nodes.map((n, i) => ({ ...n, position: { x: i * 300, y: 0 } }));
    const saved = { name: "sums", version: 4, updated: "2025-01-31T12:00:01.000Z", workflow: { nodes, edges: graph.edges } } satisfies WorkflowRecord;
    mockFetch({ "GET /runs/r1/graph": graph, "GET /workflows/sums": saved });
    await openRunInEditor(detail());
    expect(useWorkflowStore.getState()).toMatchObject({ name: "sums", version: 4, dirty: false });
  });
});
