// The editing commands the Edit menu and the canvas's context menu offer, with
// what each needs (a selection, a clipboard, something to undo) to be offered.
import { groupable } from "../lib/grouping";
import { isWorkflowNode } from "../lib/model";
import { useGraphStore } from "../store/graphStore";
import type { MenuItem } from "./ToolbarMenu";

export interface EditActions {
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  duplicate: () => void;
  selectAll: () => void;
  remove: () => void;
  group: () => void;
  openSubgraph: (nodeId: string) => void;
}

/** What the selection allows, read once per change of it (not per drag frame). */
export function useSelectionFacts(): { selected: number; groupable: number; subgraph: string | null } {
  const selected = useGraphStore((s) => s.nodes.reduce((n, node) => n + (node.selected ? 1 : 0), 0));
  const grouped = useGraphStore((s) => s.nodes.reduce((n, node) => n + (node.selected && groupable(node) ? 1 : 0), 0));
  const subgraph = useGraphStore((s) => {
    const picked = s.nodes.filter((node) => node.selected);
    return picked.length === 1 && isWorkflowNode(picked[0]) && picked[0].data.workflow ? picked[0].id : null;
  });
  return { selected, groupable: grouped, subgraph };
}

export function editItems(actions: EditActions, facts: ReturnType<typeof useSelectionFacts>, canUndo: boolean, canRedo: boolean): MenuItem[] {
  const items: MenuItem[] = [
    { label: "Undo", testId: "edit-undo", hint: "Ctrl+Z", disabled: !canUndo, onSelect: actions.undo },
    { label: "Redo", testId: "edit-redo", hint: "Ctrl+Shift+Z", disabled: !canRedo, onSelect: actions.redo },
    { label: "Copy", testId: "edit-copy", hint: "Ctrl+C", disabled: facts.selected === 0, onSelect: actions.copy },
    { label: "Paste", testId: "edit-paste", hint: "Ctrl+V", onSelect: actions.paste },
    { label: "Duplicate", testId: "edit-duplicate", hint: "Ctrl+D", disabled: facts.selected === 0, onSelect: actions.duplicate },
    { label: "Select all", testId: "edit-select-all", hint: "Ctrl+A", onSelect: actions.selectAll },
    { label: "Delete", testId: "edit-delete", hint: "Del", disabled: facts.selected === 0, danger: true, onSelect: actions.remove },
    { label: "Group into subgraph…", testId: "edit-group", hint: "saves a workflow", disabled: facts.groupable === 0, onSelect: actions.group },
  ];
  const opened = facts.subgraph;
  if (opened) items.push({ label: "Open subgraph", testId: "edit-open-subgraph", hint: "breadcrumb leads back", onSelect: () => actions.openSubgraph(opened) });
  return items;
}
