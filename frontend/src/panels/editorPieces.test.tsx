// The pieces issue 18 added, rendered: quick add's order and wire filter, the
// toolbar's menu and theme switch, runs on nodes, thumbnails, flagged packs,
// New and Clear, and the run-issues list that checks again as the graph changes.
import { act, fireEvent, render, renderHook, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PackReport } from "../api/types";
import { useLiveIssues } from "../hooks/useLiveIssues";
import { clearCanvas, newWorkflow } from "../actions/workflowActions";
import { defaultVariableData } from "../lib/factory";
import { ValueView } from "../nodes/ValueView";
import { useCatalogStore } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { mockEditActions } from "../test/editActions";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";
import { QuickAdd } from "./QuickAdd";
import { Toolbar, type ToolbarProps } from "./Toolbar";

const at = { x: 0, y: 0 };
const IMAGE = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==";

beforeEach(() => {
  resetStores(SCHEMAS);
  useRunStore.getState().clear();
  useUiStore.setState({ toasts: [], confirm: null, issues: [], theme: "system", viewResetPending: false });
  useWorkflowStore.setState({ name: null, version: null, signature: null, dirty: false, busy: false });
});

describe("QuickAdd", () => {
  const names = () => screen.getAllByTestId("quick-add-item").map((i) => i.getAttribute("data-node-name"));

  it("ranks the exact name first and adds the highlighted node on Enter", () => {
    const onPick = vi.fn();
    render(<QuickAdd at={{ x: 10, y: 10, flow: at }} onPick={onPick} onClose={() => undefined} />);
    fireEvent.change(screen.getByTestId("quick-add-input"), { target: { value: "list" } });
    expect(names()[0]).toBe("List");
    fireEvent.keyDown(screen.getByTestId("quick-add-input"), { key: "Enter" });
    expect(onPick).toHaveBeenCalledWith({ type: "listNode" });
  });

  it("opened by a dropped wire, lists only what takes it", () => {
    const wire = { nodeId: "v", handleId: "output", handleType: "source" as const, valueType: "str" };
    render(<QuickAdd at={{ x: 10, y: 10, flow: at, wire }} onPick={() => undefined} onClose={() => undefined} />);
    expect(screen.getByTestId("quick-add-wire")).toHaveTextContent("Takes v");
    expect(names()).toEqual(expect.arrayContaining(["List", "View", "configure", "split_name", "EchoStream"]));
    expect(names()).not.toContain("Variable");
    expect(names()).not.toContain("add");
  });
});

describe("Toolbar", () => {
  const props = (over: Partial<ToolbarProps> = {}): ToolbarProps => ({
    phase: "idle", canUndo: false, canRedo: false, onExecute: vi.fn(), onStop: vi.fn(), onUndo: vi.fn(), onRedo: vi.fn(),
    onExport: vi.fn(), onImport: vi.fn(), onNew: vi.fn(), onClear: vi.fn(), onOpen: vi.fn(), onSave: vi.fn(), onSaveAs: vi.fn(),
    historyOpen: false, onHistory: vi.fn(), onSettings: vi.fn(), onHelp: vi.fn(),
    edit: mockEditActions(),
    ...over,
  });

  it("shows the whole workflow name and keeps files in the More menu", () => {
    useWorkflowStore.setState({ name: "sales-forecast-weekly", version: 1 });
    const handlers = props();
    render(<Toolbar {...handlers} />);
    expect(screen.getByTestId("workflow-name")).toHaveTextContent("sales-forecast-weekly");
    fireEvent.click(screen.getByTestId("new-button"));
    expect(handlers.onNew).toHaveBeenCalled();
    expect(screen.queryByTestId("more-menu")).toBeNull();
    fireEvent.click(screen.getByTestId("more-button"));
    fireEvent.click(within(screen.getByTestId("more-menu")).getByTestId("clear-button"));
    expect(handlers.onClear).toHaveBeenCalled();
    expect(screen.queryByTestId("more-menu")).toBeNull();
  });

  it("switches the theme: system, light, dark, kept for the next visit", () => {
    render(<Toolbar {...props()} />);
    const button = screen.getByTestId("theme-button");
    fireEvent.click(button);
    expect(useUiStore.getState().theme).toBe("light");
    fireEvent.click(button);
    expect(useUiStore.getState().theme).toBe("dark");
    expect(JSON.parse(localStorage.getItem("psynapse.prefs")!)).toMatchObject({ theme: "dark" });
    expect(button).toHaveAttribute("data-theme-choice", "dark");
  });
});

describe("runs on the canvas", () => {
  it("show a failure with its traceback, a skipped view, and nothing of another graph's run", () => {
    renderFlow([
      { id: "d1", type: "functionNode", position: at, data: { functionName: "add" } },
      { id: "w1", type: "viewNode", position: { x: 300, y: 0 }, data: {} },
    ]);
    act(() => {
      useRunStore.getState().begin();
      useRunStore.getState().apply([
        { node_id: "d1", node_number: 1, node_name: "add", status: "error", error: "boom", traceback: "Traceback\nValueError: boom" },
        { node_id: "w1", node_number: 2, node_name: "View", status: "error", error: "Input 'input' failed: node 'd1' (add) did not complete", error_kind: "upstream" },
      ]);
    });
    const failing = screen.getByTestId("node-d1");
    expect(failing).toHaveAttribute("data-status", "error");
    expect(within(failing).getByTestId("node-error")).toHaveTextContent("boom");
    expect(within(failing).queryByTestId("node-traceback")).toBeNull();
    fireEvent.click(within(failing).getByTestId("node-traceback-toggle"));
    expect(within(failing).getByTestId("node-traceback")).toHaveTextContent("ValueError: boom");
    expect(screen.getByTestId("node-w1")).toHaveAttribute("data-status", "skipped");
    expect(within(screen.getByTestId("node-w1")).getByTestId("view-value")).toHaveTextContent("Not run: its input comes from d1 (add), which failed");
    act(() => useRunStore.getState().begin({ fromRunId: "old", workflow: null }));
    act(() => useRunStore.getState().apply([{ node_id: "d1", node_number: 1, node_name: "add", status: "completed", output: 1 }]));
    expect(screen.getByTestId("node-d1")).toHaveAttribute("data-status", "idle");
  });

  it("show streamed text and the progress percentage on the node", () => {
    renderFlow([{ id: "s", type: "functionNode", position: at, data: { functionName: "EchoStream" } }]);
    act(() => {
      useRunStore.getState().begin();
      useRunStore.getState().apply([
        { node_id: "s", node_number: 1, node_name: "EchoStream", status: "streaming", streaming_text: "Hello wor", streaming_chunk: "wor" },
        { node_id: "s", node_number: 1, node_name: "EchoStream", status: "progress", progress: 0.42, progress_message: "Step 42/100" },
      ]);
    });
    expect(screen.getByTestId("node-stream")).toHaveTextContent("Hello wor");
    expect(screen.getByTestId("node-progress")).toHaveAttribute("data-percent", "42");
    expect(screen.getByTestId("node-progress")).toHaveTextContent("42%Step 42/100");
  });

  it("flag a node whose pack needs a package, without rendering forever", () => {
    const packs: PackReport[] = [
      { name: "demo", path: "/p", status: "ok", errors: [], nodes: ["add"], missing: [{ module: "openai", install: "pip install 'psynapse[llm]'", file: "/p/ops.py", nodes: ["add"], pool: "llm" }], source: "folder", distribution: null, version: null, pools: ["llm"], environments: ["llm"], missing_pools: [] },
    ];
    act(() => useCatalogStore.getState().setCatalog(SCHEMAS, packs, []));
    renderFlow([{ id: "a", type: "functionNode", position: at, data: { functionName: "add" } }]);
    expect(screen.getByTestId("node-missing")).toHaveTextContent("needs openai");
    expect(screen.getByTestId("node-missing")).toHaveAttribute("title", expect.stringContaining("pip install 'psynapse[llm]'"));
    expect(screen.getByTestId("node-missing")).toHaveAttribute("title", expect.stringContaining("in pool llm's environment"));
  });
});

describe("ValueView", () => {
  it("shows images as thumbnails, alone or inside a message, never their base64", () => {
    const { rerender } = render(<ValueView value={IMAGE} className="x" testId="v" />);
    expect(screen.getByTestId("v").querySelector("img")).toHaveAttribute("src", IMAGE);
    const message = { role: "user", content: [{ type: "image_url", image_url: { url: IMAGE } }] };
    rerender(<ValueView value={message} className="x" testId="v" />);
    expect(screen.getByTestId("v")).not.toHaveTextContent("iVBORw0KGgo");
    expect(screen.getByTestId("v")).toHaveTextContent('"url": "data:image/png;base64,… (');
    expect(within(screen.getByTestId("value-thumbnails")).getAllByRole("img")).toHaveLength(1);
  });
});

describe("New and Clear", () => {
  const graph = () => {
    useGraphStore.setState({ nodes: [{ id: "v", type: "variableNode", position: at, data: defaultVariableData() }], edges: [] });
    useWorkflowStore.getState().setOpen({ name: "sums", version: 3, signature: "x" });
  };

  it("Clear asks, and the canvas leaves its saved workflow at 100%", async () => {
    graph();
    const cleared = clearCanvas();
    await vi.waitFor(() => expect(useUiStore.getState().confirm?.message).toContain("leaves 'sums'"));
    act(() => useUiStore.getState().answer(true));
    expect(await cleared).toBe(true);
    expect(useGraphStore.getState().nodes).toEqual([]);
    expect(useWorkflowStore.getState().name).toBeNull();
    expect(useUiStore.getState().viewResetPending).toBe(true);
    useGraphStore.getState().undo();
    expect(useGraphStore.getState().nodes).toHaveLength(1);
  });

  it("Clear answered no changes nothing; New asks only when work would be lost", async () => {
    graph();
    const kept = clearCanvas();
    await vi.waitFor(() => expect(useUiStore.getState().confirm).not.toBeNull());
    act(() => useUiStore.getState().answer(false));
    expect(await kept).toBe(false);
    expect(useWorkflowStore.getState().name).toBe("sums");
    useGraphStore.setState({ nodes: [], edges: [] });
    useWorkflowStore.getState().setOpen(null);
    expect(await newWorkflow()).toBe(true); // nothing to lose: no question
    expect(useUiStore.getState().confirm).toBeNull();
  });
});

describe("the run-issues list", () => {
  it("checks again as the graph changes and goes when nothing is left", async () => {
    vi.useFakeTimers();
    try {
      useGraphStore.setState({ nodes: [{ id: "o", type: "variableNode", position: at, data: { ...defaultVariableData(), variableType: "Object", variableValue: '{"a": 1' } }], edges: [] });
      renderHook(() => useLiveIssues());
      act(() => useUiStore.getState().setIssues([{ nodeId: "o", message: "o: broken" }]));
      act(() => useGraphStore.getState().updateNodeData("o", { variableValue: '{"a": 1}' }));
      await act(() => vi.advanceTimersByTimeAsync(500));
      expect(useUiStore.getState().issues).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
