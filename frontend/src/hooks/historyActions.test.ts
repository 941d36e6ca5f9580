import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunDetail } from "../api/types";
import { entriesFromDetail, pastRunFromDetail } from "../lib/runRecord";
import { useHistoryStore } from "../store/historyStore";
import { useRunStore } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { json, mockFetch } from "../test/fetchRoutes";
import { resetStores } from "../test/renderFlow";
import { refreshAfterRun, refreshHistory, rerun, selectRun } from "./historyActions";

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
    const entries = entriesFromDetail({ ...detail(), status: "error", error: "Graph contains a cycle", nodes: {} });
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
    expect(run.live.A).toEqual({ status: "completed", cached: true });
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
  it("runs the open graph when the run is of it", async () => {
    useWorkflowStore.setState({ name: "sums" });
    const { calls } = mockFetch({});
    const execute = vi.fn(async () => undefined);
    await rerun({ workflow: "sums" }, execute);
    expect(execute).toHaveBeenCalledOnce();
    expect(calls).toHaveLength(0);
  });

  it("opens the run's saved workflow first, then runs it", async () => {
    const { calls } = mockFetch({
      "GET /workflows/sums": { name: "sums", version: 2, updated: 1, workflow: { nodes: [{ id: "x", type: "viewNode", position: { x: 0, y: 0 }, data: {} }], edges: [] } },
    });
    const execute = vi.fn(async () => {
      expect(useWorkflowStore.getState().name).toBe("sums");
    });
    await rerun({ workflow: "sums" }, execute);
    expect(execute).toHaveBeenCalledOnce();
    expect(calls.filter((c) => c.url === "/workflows/sums").length).toBeGreaterThan(0);
  });

  it("runs the open graph when the run's workflow is not saved any more", async () => {
    mockFetch({ "GET /workflows/gone": json({ detail: "No workflow of that name" }, 404) });
    const execute = vi.fn(async () => undefined);
    await rerun({ workflow: "gone" }, execute);
    expect(execute).toHaveBeenCalledOnce();
    expect(useUiStore.getState().toasts.at(-1)?.text).toContain("not saved any more");
  });

  it("does nothing while a run is going", async () => {
    useRunStore.getState().begin();
    const execute = vi.fn(async () => undefined);
    await rerun({ workflow: null }, execute);
    expect(execute).not.toHaveBeenCalled();
  });
});
