// Editor-wide keyboard shortcuts (see the help dialog for the list).
import { useEffect, useEffectEvent } from "react";

export interface ShortcutActions {
  undo: () => void;
  redo: () => void;
  copy: () => void;
  paste: () => void;
  duplicate: () => void;
  selectAll: () => void;
  execute: () => void;
  /** Run to the node under the pointer (it and what it needs). */
  runToHere: () => void;
  /** Run the selected nodes (and what they need). */
  runSelected: () => void;
  save: () => void;
  quickAdd: () => void;
  help: () => void;
  newWorkflow: () => void;
  fitView: () => void;
  zoom100: () => void;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
}

/** Run the shortcut `event` stands for, if any. */
function runShortcut(event: KeyboardEvent, a: ShortcutActions): void {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && key === "enter") {
    event.preventDefault();
    if (!event.shiftKey) a.execute(); // with Shift: Run selected (runPartial)
    return;
  }
  if (mod && key === "s" && !event.shiftKey && !event.altKey) {
    event.preventDefault(); // also while typing: never the browser's "save page"
    a.save();
    return;
  }
  if (event.altKey && !mod && key === "n") {
    event.preventDefault();
    a.newWorkflow();
    return;
  }
  if (typing(event.target)) return; // text fields keep their own undo, copy, paste
  let handled = true;
  if (mod && key === "z" && event.shiftKey) a.redo();
  else if (mod && key === "z") a.undo();
  else if (mod && key === "y") a.redo();
  else if (mod && key === "c") a.copy();
  else if (mod && key === "v") a.paste();
  else if (mod && key === "d") a.duplicate();
  else if (mod && key === "a") a.selectAll();
  else if (!mod && event.key === "/") a.quickAdd();
  else if (!mod && event.key === "?") a.help();
  else if (!mod && event.shiftKey && event.code === "Digit1") a.fitView();
  else if (!mod && event.shiftKey && event.code === "Digit0") a.zoom100();
  else handled = false;
  if (handled) event.preventDefault();
}

/**
 * Run to here (Shift + Enter) and Run selected (Ctrl/⌘ + Shift + Enter), taken before the
 * canvas sees the key: React Flow's Enter selects the focused node (with Ctrl, unselects
 * it), which would change what runs.
 */
function runPartial(event: KeyboardEvent, a: ShortcutActions): void {
  if (event.key !== "Enter" || !event.shiftKey || event.altKey) return;
  const mod = event.ctrlKey || event.metaKey;
  if (!mod && typing(event.target)) return; // a new line in a text field
  event.preventDefault();
  event.stopPropagation();
  if (mod) a.runSelected();
  else a.runToHere();
}

export function useShortcuts(actions: ShortcutActions) {
  const onKey = useEffectEvent((event: KeyboardEvent) => runShortcut(event, actions));
  const onRunKey = useEffectEvent((event: KeyboardEvent) => runPartial(event, actions));
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    const runKey = (event: KeyboardEvent) => onRunKey(event);
    window.addEventListener("keydown", listener);
    window.addEventListener("keydown", runKey, true);
    return () => {
      window.removeEventListener("keydown", listener);
      window.removeEventListener("keydown", runKey, true);
    };
  }, []);
}
