// The toolbar's Edit menu: undo and redo, the clipboard, and grouping the
// selection into a subgraph (or opening the subgraph selected).
import { memo } from "react";
import { editItems, useSelectionFacts, type EditActions } from "./editCommands";
import { ToolbarMenu } from "./ToolbarMenu";

const BUTTON = { text: "Edit", label: "Edit: clipboard, group into subgraph", testId: "edit-button" };

function EditMenuImpl({ actions, canUndo, canRedo }: { actions: EditActions; canUndo: boolean; canRedo: boolean }) {
  const facts = useSelectionFacts();
  return <ToolbarMenu items={editItems(actions, facts, canUndo, canRedo)} button={BUTTON} menuTestId="edit-menu" />;
}

export const EditMenu = memo(EditMenuImpl);
