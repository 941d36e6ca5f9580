import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PsyNode } from "../lib/model";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { primeWorkflow, useSubgraphStore } from "../store/subgraphStore";
import { fn, variable, view, wire } from "../test/graphs";
import { mockFetch } from "../test/fetchRoutes";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";

const at = { x: 0, y: 0 };
const handles = (nodeId: string, kind: "source" | "target") =>
  Array.from(document.querySelectorAll(`.react-flow__handle.${kind}[data-nodeid="${nodeId}"]`)).map((h) => h.getAttribute("data-handleid"));
const edges = () => useGraphStore.getState().edges;

// inc: x (a named input) -> add.a -> view "result"
const inc = { nodes: [variable("x", "0", "Number", "x"), fn("f", "add", { b: 1 }), view("out", "result")], edges: [wire("x", "f", "a"), wire("f", "out", "input")] };

beforeEach(() => {
  resetStores(SCHEMAS);
  useRunStore.getState().clear();
  useSubgraphStore.setState({ byKey: {}, names: null });
  mockFetch({ "GET /workflows": { workflows: [{ name: "inc", updated: "", versions: 2 }] }, "GET /workflows/inc/versions": { name: "inc", versions: [{ version: 2, updated: "" }, { version: 1, updated: "" }] } });
});
afterEach(() => vi.unstubAllGlobals());

describe("If", () => {
  it("takes a condition and a value, and gives true and false", () => {
    renderFlow([{ id: "i", type: "ifNode", position: at, data: {} }]);
    expect(handles("i", "target")).toEqual(["condition", "value"]);
    expect(handles("i", "source")).toEqual(["true", "false"]);
  });

  it("a node on the branch not taken is drawn skipped, and a view there shows null", () => {
    renderFlow([{ id: "i", type: "ifNode", position: at, data: {} }, fn("a1", "add"), view("vt")]);
    act(() =>
      useRunStore.getState().apply([
        { node_id: "a1", node_number: 2, node_name: "add", status: "skipped" },
        { node_id: "vt", node_number: 3, node_name: "View", status: "skipped" },
      ]),
    );
    expect(screen.getByTestId("node-a1")).toHaveAttribute("data-status", "skipped");
    expect(within(screen.getByTestId("node-a1")).getByTestId("node-not-run")).toHaveTextContent("Skipped: on a branch not taken");
    expect(screen.getByTestId("node-vt").querySelector('[data-testid="view-value"]')).toHaveTextContent("null");
    expect(screen.getByTestId("view-untaken")).toHaveTextContent("Skipped: on a branch not taken");
  });
});

describe("Switch", () => {
  it("has an output per case and default; a renamed case keeps its wires, a removed one drops them", () => {
    renderFlow([{ id: "sw", type: "switchNode", position: at, data: { cases: ["red", "green"] } }, view("w")], [wire("sw", "w", "input", "red")]);
    expect(handles("sw", "source")).toEqual(["red", "green", "default"]);
    fireEvent.change(screen.getByTestId("switch-case-0"), { target: { value: "crimson" } });
    expect(edges()[0]).toMatchObject({ sourceHandle: "crimson", id: "e-sw-crimson-w-input" });
    // a name another case has: the wires stay where they are
    fireEvent.change(screen.getByTestId("switch-case-0"), { target: { value: "green" } });
    expect(edges()[0].sourceHandle).toBe("crimson");
    expect(screen.getByTestId("switch-case-0")).toHaveClass("is-invalid");
    fireEvent.change(screen.getByTestId("switch-case-0"), { target: { value: "crimson" } });
    fireEvent.click(screen.getByTestId("switch-add-case"));
    expect(useGraphStore.getState().nodes[0].data).toEqual({ cases: ["crimson", "green", "case3"] });
    fireEvent.click(screen.getByLabelText("Remove case crimson"));
    expect(edges()).toEqual([]);
  });
});

describe("Subgraph", () => {
  it("shows its workflow's inputs and outputs as handles, typed", async () => {
    primeWorkflow("inc", 2, inc);
    renderFlow([{ id: "s", type: "subgraphNode", position: at, data: { workflow: "inc" } }]);
    expect(handles("s", "target")).toEqual(["x"]);
    expect(handles("s", "source")).toEqual(["result"]);
    expect(screen.getByTestId("node-s")).toHaveTextContent("inc · latest v2");
    expect(within(screen.getByTestId("node-s")).getAllByText("float")).toHaveLength(2);
    await waitFor(() => expect(Array.from(screen.getByTestId("subgraph-version").querySelectorAll("option"), (o) => o.textContent)).toEqual(["latest", "v2", "v1"]));
  });

  it("says when its workflow is missing, and keeps wires to ports it no longer has in sight", async () => {
    mockFetch({ "GET /workflows": { workflows: [] }, "GET /workflows/gone": new Response(JSON.stringify({ detail: "no workflow 'gone'" }), { status: 404 }) });
    renderFlow([{ id: "s", type: "subgraphNode", position: at, data: { workflow: "gone" } }, variable("v")], [wire("v", "s", "x")]);
    await waitFor(() => expect(screen.getByTestId("subgraph-problem")).toHaveTextContent("No saved workflow 'gone'"));
    expect(screen.getByTestId("node-s")).toHaveClass("is-invalid");
    primeWorkflow("gone", 1, { nodes: [variable("y", "0", "Number", "y"), view("out")], edges: [] });
    await waitFor(() => expect(screen.getByTestId("subgraph-problem")).toHaveTextContent("Input 'x' is wired, but 'gone' has no such input (its inputs: y)"));
    expect(handles("s", "target")).toEqual(["y", "x"]); // the old wire still shows, on a handle marked gone
  });
});

describe("Map and Loop", () => {
  it("a map takes the list and the workflow's other inputs, gives a list, and shows its progress in items", () => {
    primeWorkflow("inc", 2, { ...inc, nodes: [...inc.nodes, variable("k", "1", "Number", "k")], edges: [...inc.edges, wire("k", "f", "b")] });
    const map: PsyNode = { id: "m", type: "mapNode", position: at, data: { workflow: "inc", itemInput: "x", concurrency: 4, continueOnError: false } };
    renderFlow([map]);
    expect(handles("m", "target")).toEqual(["items", "k"]);
    expect(handles("m", "source")).toEqual(["output"]);
    expect(screen.getByTestId("node-m")).toHaveTextContent("list[float]");
    act(() => useRunStore.getState().apply([{ node_id: "m", node_number: 1, node_name: "Map", status: "progress", progress: 3 / 64, progress_message: "3/64 items" }]));
    const progress = within(screen.getByTestId("node-m")).getByTestId("node-progress");
    expect(progress).toHaveAttribute("data-percent", "5");
    expect(progress).toHaveTextContent("5%3/64 items");
  });

  it("a map of a workflow with one input sends each item there; a loop picks its condition among the outputs", async () => {
    primeWorkflow("inc", 2, inc);
    renderFlow([
      { id: "m", type: "mapNode", position: at, data: { workflow: "inc", itemInput: "", concurrency: 4, continueOnError: false } },
      { id: "l", type: "loopNode", position: { x: 400, y: 0 }, data: { workflow: "inc", whileOutput: "", maxIterations: 100 } },
    ]);
    await waitFor(() => expect(useGraphStore.getState().nodes[0].data.itemInput).toBe("x"));
    expect(Array.from(screen.getByTestId("loop-while-output").querySelectorAll("option"), (o) => o.textContent)).toEqual(["Pick an output…", "result"]);
    expect(handles("l", "target")).toEqual(["x"]);
    expect(handles("l", "source")).toEqual(["result"]);
    fireEvent.change(screen.getByTestId("loop-max-iterations"), { target: { value: "5" } });
    expect(useGraphStore.getState().nodes[1].data.maxIterations).toBe(5);
  });
});
