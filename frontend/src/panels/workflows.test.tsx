import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PsyNode } from "../lib/model";
import { graphSignature } from "../lib/workflows";
import { useHistoryStore } from "../store/historyStore";
import { useRunStore } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { mockFetch } from "../test/fetchRoutes";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";
import { HistoryPanel } from "./HistoryPanel";
import { StatusPanel } from "./StatusPanel";
import { Toolbar, type ToolbarProps } from "./Toolbar";

const v = (id: string, value = "1"): PsyNode => ({ id, type: "variableNode", position: { x: 0, y: 0 }, data: { variableType: "Number", variableValue: value } });

beforeEach(() => {
  resetStores(SCHEMAS);
  useWorkflowStore.setState({ name: null, version: null, signature: null, dirty: false, busy: false });
  useUiStore.setState({ toasts: [], dialog: null, confirm: null });
  useHistoryStore.setState({ runs: [], loading: false, error: null, onlyOpen: false, selectedId: null, detail: null, onCanvas: false });
  useRunStore.getState().clear();
});
afterEach(() => vi.unstubAllGlobals());

describe("Toolbar", () => {
  const props = (over: Partial<ToolbarProps> = {}): ToolbarProps => ({
    phase: "idle",
    canUndo: false,
    canRedo: false,
    historyOpen: false,
    edit: Object.fromEntries(["undo", "redo", "copy", "paste", "duplicate", "selectAll", "remove", "group", "openSubgraph"].map((k) => [k, vi.fn()])),
    ...Object.fromEntries(
      ["onExecute", "onStop", "onUndo", "onRedo", "onExport", "onImport", "onClear", "onOpen", "onSave", "onSaveAs", "onHistory", "onSettings", "onHelp"].map((k) => [k, vi.fn()]),
    ),
    ...over,
  }) as ToolbarProps;

  it("shows the open workflow, its version and a dirty marker", () => {
    render(<Toolbar {...props()} />);
    expect(screen.getByTestId("workflow-name")).toHaveTextContent("Untitled");
    expect(screen.queryByTestId("dirty-marker")).toBeNull();
    act(() => useWorkflowStore.setState({ name: "sums", version: 2, dirty: true }));
    expect(screen.getByTestId("workflow-name")).toHaveTextContent("sums");
    expect(screen.getByTestId("workflow-version")).toHaveTextContent("v2");
    expect(screen.getByTestId("dirty-marker")).toBeInTheDocument();
    expect(screen.getByRole("status", { name: /sums, version 2, unsaved changes/ })).toBeInTheDocument();
  });

  it("has labelled Open / Save / Save as / History buttons", () => {
    const p = props({ historyOpen: true });
    render(<Toolbar {...p} />);
    fireEvent.click(screen.getByRole("button", { name: "Open workflow" }));
    fireEvent.click(screen.getByRole("button", { name: "Save workflow" }));
    fireEvent.click(screen.getByRole("button", { name: "Save workflow as" }));
    fireEvent.click(screen.getByRole("button", { name: "History" }));
    expect(p.onOpen).toHaveBeenCalled();
    expect(p.onSave).toHaveBeenCalled();
    expect(p.onSaveAs).toHaveBeenCalled();
    expect(p.onHistory).toHaveBeenCalled();
    expect(screen.getByTestId("history-button")).toHaveAttribute("aria-pressed", "true");
  });
});

describe("HistoryPanel", () => {
  const run = (run_id: string, status: string, workflow: string | null) => ({
    run_id,
    workflow,
    status,
    started_at: Date.now() / 1000,
    finished_at: Date.now() / 1000,
    duration_ms: 1234,
    node_count: 3,
  });
  const runDetail = {
    ...run("r1", "done", "sums"),
    results: { W: 8 },
    errors: {},
    error: null,
    nodes: {
      F: { node_name: "add", status: "completed", duration_ms: 12, inputs: { a: 5, b: 3 }, output: 8, cached: true },
      W: { node_name: "View", status: "completed", duration_ms: 0, inputs: { input: 8 }, output: 8 },
    },
  };

  it("lists runs with status, workflow, start, duration and node count", async () => {
    mockFetch({ "GET /runs?limit=50": { runs: [run("r2", "error", null), run("r1", "done", "sums")] } });
    render(<HistoryPanel onRerun={() => Promise.resolve()} onClose={() => undefined} />);
    const rows = await screen.findAllByTestId("history-run");
    expect(rows.map((r) => [r.getAttribute("data-run-id"), r.getAttribute("data-status")])).toEqual([
      ["r2", "error"],
      ["r1", "done"],
    ]);
    expect(within(rows[0]).getByTestId("history-run-status")).toHaveTextContent("Failed");
    expect(within(rows[0]).getByTestId("history-run-workflow")).toHaveTextContent("unsaved graph");
    expect(within(rows[1]).getByTestId("history-run-workflow")).toHaveTextContent("sums");
    expect(within(rows[1]).getByTestId("history-run-duration")).toHaveTextContent("1.23 s");
    expect(within(rows[1]).getByTestId("history-run-nodes")).toHaveTextContent("3 nodes");
  });

  it("filters to the open workflow", async () => {
    useWorkflowStore.setState({ name: "sums" });
    const { calls } = mockFetch({ "GET /runs?limit=50": { runs: [] }, "GET /runs?workflow=sums&limit=50": { runs: [run("r1", "done", "sums")] } });
    render(<HistoryPanel onRerun={() => Promise.resolve()} onClose={() => undefined} />);
    await screen.findByText("No runs yet.");
    fireEvent.click(screen.getByRole("checkbox", { name: /Only runs of sums/ }));
    expect(await screen.findByTestId("history-run")).toHaveAttribute("data-run-id", "r1");
    expect(calls.at(-1)?.url).toBe("/runs?workflow=sums&limit=50");
  });

  it("shows a picked run's node cards (cached marked) and re-runs", async () => {
    useWorkflowStore.setState({ name: "sums" });
    mockFetch({
      "GET /runs?limit=50": { runs: [run("r1", "done", "sums")] },
      "GET /runs/r1": runDetail,
      "GET /runs/r1/graph": { run_id: "r1", workflow: "sums", nodes: [{ id: "W", type: "viewNode", data: {} }], edges: [] },
    });
    const onRerun = vi.fn(() => Promise.resolve());
    render(<HistoryPanel onRerun={onRerun} onClose={() => undefined} />);
    fireEvent.click(await screen.findByTestId("history-run"));
    const detail = await screen.findByTestId("history-detail");
    expect(detail).toHaveAttribute("data-on-canvas", "true");
    const cards = within(detail).getAllByTestId("status-item");
    expect(cards.map((c) => [c.getAttribute("data-node-id"), c.getAttribute("data-status")])).toEqual([
      ["F", "completed"],
      ["W", "completed"],
    ]);
    expect(within(cards[0]).getByTestId("cached-badge")).toBeInTheDocument();
    expect(within(cards[0]).getByTestId("status-duration")).toHaveTextContent("12 ms");
    expect(within(cards[1]).queryByTestId("cached-badge")).toBeNull();
    expect(useRunStore.getState().viewResults).toEqual({ W: 8 });
    fireEvent.click(within(detail).getByRole("button", { name: /Re-run/ }));
    await waitFor(() => expect(onRerun).toHaveBeenCalledWith({ nodes: [{ id: "W", type: "viewNode", data: {} }], edges: [], workflow: "sums" }, expect.anything(), null));
  });

  it("reloads the list when a run ends", async () => {
    let listed = 0;
    mockFetch({ "GET /runs?limit=50": () => ({ runs: ++listed > 1 ? [run("r9", "done", null)] : [] }) });
    render(<HistoryPanel onRerun={() => Promise.resolve()} onClose={() => undefined} />);
    await screen.findByText("No runs yet.");
    act(() => {
      useRunStore.getState().begin();
      useRunStore.getState().setRunId("r9");
      useRunStore.getState().apply([{ status: "done", results: {} }]);
    });
    expect(await screen.findByTestId("history-run")).toHaveAttribute("data-run-id", "r9");
  });
});

describe("cached badge", () => {
  it("shows on the status card and on the node of a cache hit", () => {
    renderFlow([v("V1"), v("V2")]);
    render(<StatusPanel />);
    act(() => {
      useRunStore.getState().begin();
      useRunStore.getState().apply([
        { node_id: "V1", node_number: 1, node_name: "Variable", status: "completed", output: 1, cached: true },
        { node_id: "V2", node_number: 2, node_name: "Variable", status: "completed", output: 1 },
      ]);
    });
    const card = screen.getAllByTestId("status-item")[0];
    expect(within(card).getByTestId("cached-badge")).toHaveTextContent("cached");
    expect(within(screen.getByTestId("node-V1")).getByTestId("cached-badge")).toBeInTheDocument();
    expect(within(screen.getByTestId("node-V2")).queryByTestId("cached-badge")).toBeNull();
    expect(screen.getByTestId("node-V1")).toHaveAttribute("data-cached", "true");
  });
});

describe("workflow signature in the store", () => {
  it("survives in localStorage for the next page load", () => {
    useWorkflowStore.getState().setOpen({ name: "sums", version: 4, signature: graphSignature([], []) });
    expect(JSON.parse(localStorage.getItem("psynapse.openWorkflow")!)).toMatchObject({ name: "sums", version: 4 });
  });
});
