import { fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useGraphStore } from "../store/graphStore";
import { fn, subgraph, view } from "../test/graphs";
import { resetStores } from "../test/renderFlow";
import type { EditActions } from "./editCommands";
import { EditMenu } from "./EditMenu";

const actions = (): EditActions => ({
  undo: vi.fn(),
  redo: vi.fn(),
  copy: vi.fn(),
  paste: vi.fn(),
  duplicate: vi.fn(),
  selectAll: vi.fn(),
  remove: vi.fn(),
  group: vi.fn(),
  openSubgraph: vi.fn(),
});

beforeEach(() => resetStores());

describe("the Edit menu", () => {
  it("offers grouping only with nodes a group can take (views stay outside)", () => {
    useGraphStore.setState({ nodes: [{ ...view("w"), selected: true }, fn("f", "add")] });
    const edit = actions();
    render(<EditMenu actions={edit} canUndo={false} canRedo={false} />);
    fireEvent.click(screen.getByTestId("edit-button"));
    expect(screen.getByTestId("edit-group")).toBeDisabled();
    expect(screen.getByTestId("edit-undo")).toBeDisabled();
    expect(screen.queryByTestId("edit-open-subgraph")).toBeNull();
  });

  it("groups a selection, and opens the one subgraph selected", () => {
    useGraphStore.setState({ nodes: [{ ...fn("f", "add"), selected: true }, { ...subgraph("s", "inc"), selected: true }] });
    const edit = actions();
    render(<EditMenu actions={edit} canUndo canRedo={false} />);
    fireEvent.click(screen.getByTestId("edit-button"));
    fireEvent.click(screen.getByTestId("edit-group"));
    expect(edit.group).toHaveBeenCalledOnce();
    useGraphStore.setState({ nodes: [fn("f", "add"), { ...subgraph("s", "inc"), selected: true }] });
    fireEvent.click(screen.getByTestId("edit-button"));
    fireEvent.click(screen.getByTestId("edit-open-subgraph"));
    expect(edit.openSubgraph).toHaveBeenCalledWith("s");
  });
});
