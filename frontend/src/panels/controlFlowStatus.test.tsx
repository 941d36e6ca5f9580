import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../api/types";
import { useRunStore } from "../store/runStore";
import { StatusPanel } from "./StatusPanel";

const ev = (node_id: string, node_number: number, node_name: string, status: string, extra: Record<string, unknown> = {}) =>
  ({ node_id, node_number, node_name, status, ...extra }) as RunEvent;
const card = (id: string) => screen.getAllByTestId("status-item").find((el) => el.getAttribute("data-node-id") === id)!;

beforeEach(() => useRunStore.getState().clear());

describe("the status panel, with branches and subgraphs", () => {
  it("shows a node on a branch not taken as skipped, and counts it apart from failures", () => {
    render(<StatusPanel />);
    act(() => {
      useRunStore.getState().begin();
      useRunStore.getState().apply([
        ev("i", 1, "If", "completed", { output: { true: 1, false: null } }),
        ev("no", 2, "add", "skipped"),
        ev("yes", 3, "add", "completed", { output: 2 }),
        { status: "done", results: {} },
      ]);
    });
    expect(card("no")).toHaveAttribute("data-status", "skipped");
    expect(card("no")).toHaveAttribute("data-skip", "untaken");
    expect(within(card("no")).getByTestId("status-not-run")).toHaveTextContent("Skipped: on a branch not taken");
    expect(within(card("no")).getByLabelText("skipped")).toBeInTheDocument();
    expect(screen.getByTestId("run-summary")).toHaveTextContent("3 nodes · 2 done · 1 skipped");
    expect(screen.getByTestId("run-phase")).toHaveTextContent("Done");
  });

  it("folds the nodes that ran inside a subgraph and a map under their node's card", () => {
    render(<StatusPanel />);
    act(() => {
      useRunStore.getState().begin(null, null, { s: ["s/out"] });
      useRunStore.getState().apply([
        ev("s/x", 1, "Variable", "completed", { output: 1 }),
        ev("s/f", 2, "add", "completed", { output: 2 }),
        ev("s/out", 3, "View", "completed", { output: 2 }),
        ev("m", 4, "Map", "progress", { progress: 0.5, progress_message: "1/2 items" }),
        ev("m/0/f", 5, "slow_identity", "completed", { output: 1 }),
      ]);
    });
    expect(screen.getAllByTestId("status-item").map((el) => el.getAttribute("data-node-id"))).toEqual(["s", "m"]);
    expect(card("s")).toHaveAttribute("data-status", "completed");
    expect(within(card("s")).getByTestId("status-inner-summary")).toHaveTextContent("3 inside · 3 done");
    expect(within(card("m")).getByTestId("status-progress")).toHaveTextContent("50%1/2 items");
    fireEvent.click(within(card("m")).getByTestId("status-inner-toggle"));
    const inner = within(card("m")).getByTestId("status-inner");
    expect(within(inner).getByText("0/f")).toBeInTheDocument(); // its id inside the map: item 0's f
    expect(screen.getByTestId("run-summary")).toHaveTextContent("2 nodes · 1 done");
  });
});
