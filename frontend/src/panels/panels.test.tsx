import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { apiHeaders } from "../api/config";
import { useCatalogStore } from "../store/catalogStore";
import { useRunStore } from "../store/runStore";
import { resetStores, SCHEMAS } from "../test/renderFlow";
import { NodeLibraryPanel } from "./NodeLibraryPanel";
import { StatusPanel } from "./StatusPanel";

beforeEach(() => {
  resetStores(SCHEMAS);
  useRunStore.getState().clear();
});

describe("StatusPanel", () => {
  it("shows cards in execution order with badge, progress, stream, output and error", () => {
    render(<StatusPanel />);
    act(() => {
      useRunStore.getState().begin();
      useRunStore.getState().apply([
        { node_id: "v1", node_number: 1, node_name: "Variable", status: "completed", inputs: {}, output: 5 },
        { node_id: "p2", node_number: 2, node_name: "CountWithProgress", status: "progress", progress: 0.3, progress_message: "Step 3/10", inputs: { count: 10 } },
        { node_id: "s3", node_number: 3, node_name: "EchoStream", status: "streaming", streaming_text: "Hello wor", streaming_chunk: "wor" },
        { node_id: "d4", node_number: 4, node_name: "divide", status: "error", inputs: { a: 1, b: 0 }, error: "division by zero" },
      ]);
    });
    const cards = screen.getAllByTestId("status-item");
    expect(cards.map((c) => [c.getAttribute("data-node-id"), c.getAttribute("data-status")])).toEqual([
      ["v1", "completed"],
      ["p2", "progress"],
      ["s3", "streaming"],
      ["d4", "error"],
    ]);
    expect(within(cards[0]).getByText("1")).toHaveClass("psy-card__badge");
    expect(within(cards[0]).getByTestId("status-output")).toHaveTextContent("5");
    expect(within(cards[1]).getByTestId("status-progress")).toHaveAttribute("data-percent", "30");
    expect(within(cards[1]).getByText("Step 3/10")).toBeInTheDocument();
    expect(within(cards[2]).getByTestId("status-stream")).toHaveTextContent("Hello wor");
    expect(within(cards[3]).getByTestId("status-error")).toHaveTextContent("division by zero");
    expect(cards[3]).toHaveClass("psy-card--error");
  });

  it("collapses inputs until asked", () => {
    render(<StatusPanel />);
    act(() => useRunStore.getState().apply([{ node_id: "a", node_number: 1, node_name: "add", status: "completed", inputs: { a: 1, b: 2 }, output: 3 }]));
    expect(screen.queryByTestId("status-inputs")).toBeNull();
    fireEvent.click(screen.getByText(/Inputs \(2\)/));
    expect(screen.getByTestId("status-inputs")).toHaveTextContent('"a": 1');
  });

  it("shows a run-level error as a card and clears on a new run", () => {
    render(<StatusPanel />);
    act(() => useRunStore.getState().apply([{ status: "error", error: "Graph contains a cycle: a -> b -> a" }]));
    expect(screen.getByTestId("status-item")).toHaveAttribute("data-status", "error");
    expect(screen.getByTestId("status-error")).toHaveTextContent("cycle");
    expect(screen.getByTestId("status-panel")).toHaveAttribute("data-phase", "failed");
    act(() => useRunStore.getState().begin());
    expect(screen.queryByTestId("status-item")).toBeNull();
  });
});

describe("NodeLibraryPanel", () => {
  it("lists built-ins and schemas grouped by nodepack, filtered by the search", () => {
    render(<NodeLibraryPanel onAdd={() => undefined} />);
    const names = () => screen.getAllByTestId("library-item").map((i) => i.getAttribute("data-node-name"));
    expect(names().slice(0, 3)).toEqual(["Variable", "List", "View"]);
    expect(names()).toContain("CountWithProgress");
    const groups = screen.getAllByTestId("library-group").map((g) => g.getAttribute("data-pack"));
    expect(groups).toEqual(["basic", "demo", "examples"]);
    fireEvent.change(screen.getByTestId("library-search"), { target: { value: "echo" } });
    expect(names()).toEqual(["EchoStream"]);
    const echo = screen.getByTestId("library-item");
    expect(echo).toHaveAttribute("title", expect.stringContaining("Echo a text word by word."));
    expect(within(echo).getByText("stream")).toBeInTheDocument();
  });

  it("shows nodepacks that failed to load, with file, line and message", () => {
    act(() =>
      useCatalogStore.getState().setCatalog(SCHEMAS, [
        { name: "broken", path: "/p/broken", status: "error", errors: [{ file: "/p/broken/ops.py", line: 3, message: "SyntaxError: invalid syntax" }], nodes: [], missing: [], source: "folder", distribution: null, version: null, pools: [], environments: [], missing_pools: [] },
      ], []),
    );
    render(<NodeLibraryPanel onAdd={() => undefined} />);
    const error = screen.getByTestId("pack-error");
    expect(error).toHaveTextContent("/p/broken/ops.py:3");
    expect(error).toHaveTextContent("SyntaxError: invalid syntax");
  });

  it("names the pools of a pack's nodes that no runner takes", () => {
    act(() =>
      useCatalogStore.getState().setCatalog(SCHEMAS, [
        { name: "basic", path: "/p/basic", status: "ok", errors: [], nodes: ["add"], missing: [], source: "folder", distribution: null, version: null, pools: ["gpu"], environments: [], missing_pools: [{ pool: "gpu", nodes: ["add"] }] },
      ], []),
    );
    render(<NodeLibraryPanel onAdd={() => undefined} />);
    expect(screen.getByTestId("pack-no-runner")).toHaveTextContent("No runner takes pool gpu (add)");
    expect(screen.getByTestId("pack-no-runner")).toHaveTextContent("psynapse runner --pool gpu");
  });

  it("shows an installed pack's version beside its name; a folder pack has none", () => {
    act(() =>
      useCatalogStore.getState().setCatalog(SCHEMAS, [
        { name: "basic", path: "/site-packages/basic_nodes", status: "ok", errors: [], nodes: ["add"], missing: [], source: "package", distribution: "psynapse-basic", version: "1.2.0", pools: ["default"], environments: [], missing_pools: [] },
        { name: "examples", path: "/p/examples", status: "ok", errors: [], nodes: [], missing: [], source: "folder", distribution: null, version: null, pools: [], environments: [], missing_pools: [] },
      ], []),
    );
    render(<NodeLibraryPanel onAdd={() => undefined} />);
    const versions = screen.getAllByTestId("pack-version");
    expect(versions).toHaveLength(1);
    expect(versions[0]).toHaveTextContent("1.2.0");
    expect(versions[0]).toHaveAttribute("title", "installed package psynapse-basic 1.2.0");
    expect(versions[0].closest("[data-pack]")).toHaveAttribute("data-pack", "basic");
  });

  it("says clearly when the backend is unreachable", () => {
    useCatalogStore.setState({ schemas: [], byName: {}, status: "loading" });
    act(() => useCatalogStore.getState().setFailure("Failed to fetch", 3, Date.now() + 2000));
    const reload = vi.fn();
    useCatalogStore.setState({ reload });
    render(<NodeLibraryPanel onAdd={() => undefined} />);
    const banner = screen.getByTestId("backend-unreachable");
    expect(banner).toHaveTextContent("Backend unreachable");
    expect(banner).toHaveTextContent("Attempt 3");
    fireEvent.click(within(banner).getByText("Retry now"));
    expect(reload).toHaveBeenCalled();
  });

  it("asks for an API token when the gateway answers 401, and keeps it for this tab", () => {
    const reload = vi.fn();
    useCatalogStore.setState({ schemas: [], byName: {}, status: "loading", reload });
    act(() => useCatalogStore.getState().setFailure("a valid token is required", 1, Date.now() + 500, true));
    render(<NodeLibraryPanel onAdd={() => undefined} />);
    fireEvent.change(screen.getByTestId("token-input"), { target: { value: "t0ken" } });
    fireEvent.submit(screen.getByTestId("token-prompt"));
    expect(apiHeaders({ Accept: "x" })).toEqual({ Accept: "x", Authorization: "Bearer t0ken" });
    expect(sessionStorage.getItem("psynapse.apiToken")).toBe("t0ken");
    expect(localStorage.getItem("psynapse.apiToken")).toBeNull();
    expect(reload).toHaveBeenCalled();
  });

  it("drags with the documented payload and adds on double-click", () => {
    const onAdd = vi.fn();
    render(<NodeLibraryPanel onAdd={onAdd} />);
    const add = screen.getAllByTestId("library-item").find((i) => i.getAttribute("data-node-name") === "add")!;
    const setData = vi.fn();
    fireEvent.dragStart(add, { dataTransfer: { setData, effectAllowed: "" } });
    expect(setData).toHaveBeenCalledWith("application/psynapse-node", JSON.stringify({ type: "functionNode", name: "add" }));
    fireEvent.doubleClick(add);
    expect(onAdd).toHaveBeenCalledWith({ type: "functionNode", name: "add" });
  });
});
