// Partial runs in the editor: Run to here and Run selected (the right-click menu, the
// shortcuts), the request they send, the canvas nodes they leave as they were, and
// what the execution panel and the help dialog say.
import { act, fireEvent, render, renderHook, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HelpDialog } from "../dialogs/HelpDialog";
import { useExecution } from "../hooks/useExecution";
import { useShortcuts, type ShortcutActions } from "../hooks/useShortcuts";
import type { PsyEdge, PsyNode } from "../lib/model";
import { partialRun } from "../lib/partialRun";
import { StatusPanel } from "../panels/StatusPanel";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { useUiStore, type ContextMenuAt } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { mockEditActions } from "../test/editActions";
import { mockFetch } from "../test/fetchRoutes";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";
import { ContextMenu } from "./ContextMenu";

const at = (x: number) => ({ x, y: 0 });
// v1 -> f1 -> w1 (a view); f2 has no inputs at all (a problem, but not on the way to w1).
const NODES: PsyNode[] = [
  { id: "v1", type: "variableNode", position: at(0), data: { variableType: "Number", variableValue: "5" } },
  { id: "f1", type: "functionNode", position: at(200), data: { functionName: "add", b: 1 } },
  { id: "w1", type: "viewNode", position: at(400), data: {} },
  { id: "f2", type: "functionNode", position: at(600), data: { functionName: "add" } },
  { id: "w2", type: "viewNode", position: at(800), data: {} },
];
const EDGES: PsyEdge[] = [
  { id: "e1", source: "v1", target: "f1", sourceHandle: "output", targetHandle: "a" },
  { id: "e2", source: "f1", target: "w1", sourceHandle: "output", targetHandle: "input" },
  { id: "e3", source: "f2", target: "w2", sourceHandle: "output", targetHandle: "input" },
];

function sse(...events: unknown[]): Response {
  const body = events.map((event, i) => `id: ${i + 1}\ndata: ${JSON.stringify(event)}\n\n`).join("");
  return new Response(body, { headers: { "Content-Type": "text/event-stream", "X-Run-Id": "run-2" } });
}

beforeEach(() => {
  resetStores(SCHEMAS);
  useRunStore.getState().clear();
  useUiStore.setState({ toasts: [], issues: [] });
  useWorkflowStore.setState({ name: null, version: null, signature: null, dirty: false, busy: false });
  localStorage.clear();
});

afterEach(() => vi.unstubAllGlobals());

describe("Run to here", () => {
  it("sends the target, is held up only by problems on its way, and leaves the other nodes as the last run left them", async () => {
    renderFlow(NODES, EDGES);
    // The last run: everything ran; f2 failed and w2 did not run.
    act(() => {
      useRunStore.getState().begin();
      useRunStore.getState().apply([
        { node_id: "f1", node_number: 2, node_name: "add", status: "completed", output: 6 },
        { node_id: "w1", node_number: 3, node_name: "View", status: "completed", output: 6 },
        { node_id: "f2", node_number: 4, node_name: "add", status: "error", error: "boom" },
        { status: "done", results: { w1: 6 } },
      ]);
    });
    const { calls } = mockFetch({
      "POST /execute/stream": sse(
        { node_id: "v1", node_number: 1, node_name: "Variable", status: "completed", output: 7 },
        { node_id: "f1", node_number: 2, node_name: "add", status: "completed", output: 8, cached: true },
        { status: "done", results: {} },
      ),
    });
    const { result } = renderHook(() => useExecution());
    await act(() => result.current.run(["f1"]));
    expect(useUiStore.getState().issues).toEqual([]);
    expect(calls).toHaveLength(1);
    expect((calls[0].body as { targets: string[] }).targets).toEqual(["f1"]);
    await waitFor(() => expect(useRunStore.getState().phase).toBe("done"));
    // f1 ran again (a cache hit); w1 and f2 were not in the run: they keep their state.
    expect(screen.getByTestId("node-f1")).toHaveAttribute("data-status", "completed");
    expect(screen.getByTestId("node-f1")).toHaveAttribute("data-cached", "true");
    expect(screen.getByTestId("node-f2")).toHaveAttribute("data-status", "error");
    expect(within(screen.getByTestId("node-w1")).getByTestId("view-value")).toHaveTextContent("6");
    render(<StatusPanel />);
    expect(screen.getByTestId("partial-run")).toHaveTextContent("Partial run to f1: 2 nodes; the others keep their last state.");
    expect(screen.getAllByTestId("status-item").map((card) => card.getAttribute("data-node-id"))).toEqual(["v1", "f1"]);
    expect(screen.getByTestId("run-summary")).toHaveTextContent("2 nodes · 2 done");
  });

  it("is not sent when a node on its way has a problem", async () => {
    useGraphStore.setState({ nodes: NODES, edges: EDGES });
    const { calls } = mockFetch({});
    const { result } = renderHook(() => useExecution());
    await act(() => result.current.run(["w2"]));
    expect(calls).toHaveLength(0);
    expect(useUiStore.getState().issues.map((issue) => issue.nodeId)).toEqual(["f2", "f2"]);
  });

  it("with nothing selected asks for a selection instead of running everything", async () => {
    useGraphStore.setState({ nodes: NODES, edges: EDGES });
    const { calls } = mockFetch({});
    const { result } = renderHook(() => useExecution());
    await act(() => result.current.run([]));
    expect(calls).toHaveLength(0);
    expect(useUiStore.getState().toasts.map((t) => t.text)).toEqual(["Select the nodes to run first"]);
  });
});

describe("the node's right-click menu", () => {
  const open = (at: ContextMenuAt) => act(() => useUiStore.getState().setContextMenu(at));
  const select = (...ids: string[]) => useGraphStore.setState({ nodes: NODES.map((n) => ({ ...n, selected: ids.includes(n.id) })), edges: EDGES });

  it("runs to its node or the selection, beside the Edit commands (Group into subgraph), and closes", () => {
    const onRun = vi.fn();
    const actions = mockEditActions();
    select("f1", "f2");
    const { rerender } = render(<ContextMenu actions={actions} running={false} onRun={onRun} />);
    expect(screen.queryByTestId("context-menu")).toBeNull();
    open({ x: 10, y: 10, nodeId: "f1" });
    expect(screen.getByTestId("context-menu")).toHaveAttribute("data-node-id", "f1");
    fireEvent.click(screen.getByTestId("run-to-here"));
    expect(onRun).toHaveBeenLastCalledWith(["f1"]);
    expect(useUiStore.getState().contextMenu).toBeNull();
    expect(screen.queryByTestId("context-menu")).toBeNull();

    open({ x: 10, y: 10, nodeId: "f1" });
    expect(screen.getByTestId("run-selected")).toHaveTextContent("Run selected (2)");
    fireEvent.click(screen.getByTestId("run-selected"));
    expect(onRun).toHaveBeenLastCalledWith(["f1", "f2"]);
    expect(screen.queryByTestId("context-menu")).toBeNull();

    // One menu: the run commands first, then the Edit menu's.
    open({ x: 10, y: 10, nodeId: "f1" });
    const items = within(screen.getByTestId("context-menu")).getAllByRole("menuitem").map((item) => item.dataset.testid);
    expect(items.slice(0, 2)).toEqual(["run-to-here", "run-selected"]);
    expect(items).toContain("context-edit-group");
    expect(items).toContain("context-edit-delete");
    fireEvent.click(screen.getByTestId("context-edit-group"));
    expect(actions.group).toHaveBeenCalledTimes(1);
    expect(onRun).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId("context-menu")).toBeNull();

    open({ x: 10, y: 10, nodeId: "f1" });
    fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByTestId("context-menu")).toBeNull();

    // A run going: neither run command starts another.
    rerender(<ContextMenu actions={actions} running onRun={onRun} />);
    open({ x: 10, y: 10, nodeId: "f1" });
    expect(screen.getByTestId("run-to-here")).toBeDisabled();
    expect(screen.getByTestId("run-selected")).toBeDisabled();
  });

  it("on the selection runs it; on the pane offers no run", () => {
    select("w1");
    render(<ContextMenu actions={mockEditActions()} running={false} onRun={vi.fn()} />);
    open({ x: 10, y: 10, selection: true });
    expect(screen.queryByTestId("run-to-here")).toBeNull();
    expect(screen.getByTestId("run-selected")).toHaveTextContent("Run selected (1)");
    open({ x: 10, y: 10 });
    expect(screen.getByTestId("context-menu")).not.toHaveAttribute("data-node-id");
    expect(screen.queryByTestId("run-selected")).toBeNull();
    expect(screen.getByTestId("context-edit-paste")).toBeInTheDocument();
  });
});

describe("the shortcuts", () => {
  it("Shift + Enter runs to here, Ctrl + Shift + Enter the selection, Ctrl + Enter everything; the help lists them", () => {
    const actions = Object.fromEntries(
      ["undo", "redo", "copy", "paste", "duplicate", "selectAll", "execute", "runToHere", "runSelected", "save", "quickAdd", "help", "newWorkflow", "fitView", "zoom100"].map((name) => [name, vi.fn()]),
    ) as unknown as Record<keyof ShortcutActions, ReturnType<typeof vi.fn>>;
    renderHook(() => useShortcuts(actions));
    // A focused canvas node: its own Enter (React Flow selects it) must not see the run keys.
    const focused = document.createElement("div");
    const canvasSaw = vi.fn();
    focused.addEventListener("keydown", canvasSaw);
    document.body.appendChild(focused);
    fireEvent.keyDown(focused, { key: "Enter", shiftKey: true });
    expect(actions.runToHere).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(focused, { key: "Enter", shiftKey: true, ctrlKey: true });
    expect(actions.runSelected).toHaveBeenCalledTimes(1);
    expect(canvasSaw).not.toHaveBeenCalled();
    fireEvent.keyDown(focused, { key: "Enter", metaKey: true });
    expect(actions.execute).toHaveBeenCalledTimes(1);
    expect(actions.runToHere).toHaveBeenCalledTimes(1);
    expect(actions.runSelected).toHaveBeenCalledTimes(1);
    focused.remove();
    render(<HelpDialog onClose={() => undefined} />);
    const help = screen.getByTestId("help-dialog");
    expect(help).toHaveTextContent("Shift + EnterRun to here");
    expect(help).toHaveTextContent("Ctrl/⌘ + Shift + EnterRun selected");
  });

  it("Shift + Enter in a text field is a new line, not a run", () => {
    const runToHere = vi.fn();
    renderHook(() => useShortcuts({ runToHere } as unknown as ShortcutActions));
    const field = document.createElement("textarea");
    document.body.appendChild(field);
    fireEvent.keyDown(field, { key: "Enter", shiftKey: true });
    expect(runToHere).not.toHaveBeenCalled();
    field.remove();
  });
});

it("a partial run's part is what the gateway plans", () => {
  expect(partialRun(["w1"], EDGES).nodes.sort()).toEqual(["f1", "v1", "w1"]);
});
