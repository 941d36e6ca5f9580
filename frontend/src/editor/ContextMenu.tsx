// The canvas's right-click menu, where the pointer is: on a node, run to it or run the
// selection (partial runs); then the Edit menu's commands (group into a subgraph, open
// one, ...). Closed by a pick, Escape, or a press anywhere else.
import { memo, useLayoutEffect, useRef } from "react";
import { useDismiss } from "../hooks/useDismiss";
import { editItems, useSelectionFacts, type EditActions } from "../panels/editCommands";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";

export interface ContextMenuProps {
  actions: EditActions;
  /** A run is going: a second one cannot start. */
  running: boolean;
  /** Run to these nodes (a partial run). */
  onRun: (targets: string[]) => void;
}

const EDGE = 8;

function ContextMenuImpl({ actions, running, onRun }: ContextMenuProps) {
  const at = useUiStore((s) => s.contextMenu);
  const close = useUiStore((s) => s.setContextMenu);
  const canUndo = useGraphStore((s) => s.past.length > 0);
  const canRedo = useGraphStore((s) => s.future.length > 0);
  const facts = useSelectionFacts();
  const root = useRef<HTMLDivElement>(null);
  useDismiss(!!at, root, () => close(null), { wheel: true });
  // Moved in from the window's edges, like quick-add (once its size is known).
  useLayoutEffect(() => {
    const menu = root.current;
    if (!at || !menu) return;
    const { width, height } = menu.getBoundingClientRect();
    menu.style.left = `${Math.max(EDGE, Math.min(at.x, window.innerWidth - width - EDGE))}px`;
    menu.style.top = `${Math.max(EDGE, Math.min(at.y, window.innerHeight - height - EDGE))}px`;
  }, [at]);
  if (!at) return null;
  const items = editItems(actions, facts, canUndo, canRedo).filter((item) => !item.disabled);
  const pick = (run: () => void) => {
    close(null);
    run();
  };
  const runSelected = () => onRun(useGraphStore.getState().nodes.filter((n) => n.selected).map((n) => n.id));
  const { nodeId } = at;
  const count = facts.selected;
  return (
    <div
      ref={root}
      className="psy-context-menu"
      role="menu"
      aria-label={nodeId ? `Node ${nodeId}` : "Canvas"}
      data-testid="context-menu"
      data-node-id={nodeId}
      style={{ left: at.x, top: at.y }}
    >
      {nodeId ? (
        <button type="button" role="menuitem" className="psy-menu__item" data-testid="run-to-here" disabled={running} onClick={() => pick(() => onRun([nodeId]))}>
          <span>Run to here</span>
          <span className="psy-menu__hint">Shift + Enter</span>
        </button>
      ) : null}
      {nodeId || at.selection ? (
        <>
          <button
            type="button"
            role="menuitem"
            className="psy-menu__item"
            data-testid="run-selected"
            disabled={running || count === 0}
            title={count === 0 ? "Select the nodes to run first" : undefined}
            onClick={() => pick(runSelected)}
          >
            <span>Run selected{count > 0 ? ` (${count})` : ""}</span>
            <span className="psy-menu__hint">Ctrl/⌘ + Shift + Enter</span>
          </button>
          {items.length > 0 ? <div role="separator" className="psy-menu__separator" /> : null}
        </>
      ) : null}
      {items.map((item) => (
        <button
          key={item.testId}
          type="button"
          role="menuitem"
          className={`psy-menu__item${item.danger ? " psy-menu__item--danger" : ""}`}
          data-testid={`context-${item.testId}`}
          onClick={() => pick(item.onSelect)}
        >
          <span>{item.label}</span>
          {item.hint ? <span className="psy-menu__hint">{item.hint}</span> : null}
        </button>
      ))}
    </div>
  );
}

export const ContextMenu = memo(ContextMenuImpl);
