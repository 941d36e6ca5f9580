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
    if (event.shiftKey) a.runSelected();
    else a.execute();
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
  else if (!mod && event.shiftKey && key === "enter") a.runToHere();
  else if (!mod && event.key === "/") a.quickAdd();
  else if (!mod && event.key === "?") a.help();
  else if (!mod && event.shiftKey && event.code === "Digit1") a.fitView();
  else if (!mod && event.shiftKey && event.code === "Digit0") a.zoom100();
  else handled = false;
  if (handled) event.preventDefault();
}

export function useShortcuts(actions: ShortcutActions) {
  const onKey = useEffectEvent((event: KeyboardEvent) => runShortcut(event, actions));
  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}
