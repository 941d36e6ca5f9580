import { fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import { useGraphStore } from "../store/graphStore";
import { mockEditActions } from "../test/editActions";
import { fn, subgraph, view } from "../test/graphs";
import { resetStores } from "../test/renderFlow";
import { EditMenu } from "./EditMenu";

beforeEach(() => resetStores());

describe("the Edit menu", () => {
  it("offers grouping only with nodes a group can take (views stay outside)", () => {
    useGraphStore.setState({ nodes: [{ ...view("w"), selected: true }, fn("f", "add")] });
    const edit = mockEditActions();
    render(<EditMenu actions={edit} canUndo={false} canRedo={false} />);
    fireEvent.click(screen.getByTestId("edit-button"));
    expect(screen.getByTestId("edit-group")).toBeDisabled();
    expect(screen.getByTestId("edit-undo")).toBeDisabled();
    expect(screen.queryByTestId("edit-open-subgraph")).toBeNull();
  });

  it("groups a selection, and opens the one subgraph selected", () => {
    useGraphStore.setState({ nodes: [{ ...fn("f", "add"), selected: true }, { ...subgraph("s", "inc"), selected: true }] });
    const edit = mockEditActions();
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
