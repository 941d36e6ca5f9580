// A node's right-click menu: run to it, or run the selection (partial runs). Closed by
// a pick, Escape, or a press anywhere else.
import { useEffect, useRef } from "react";

/** Where the menu opened (screen), on which node, and what was selected then. */
export interface NodeMenuAt {
  x: number;
  y: number;
  nodeId: string;
  selected: string[];
}

export interface NodeMenuProps {
  at: NodeMenuAt;
  /** A run is going: a second one cannot start. */
  running: boolean;
  onRun: (targets: string[]) => void;
  onClose: () => void;
}

const MENU = { width: 260, height: 96 };

export function NodeMenu({ at, running, onRun, onClose }: NodeMenuProps) {
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !root.current?.contains(event.target as Node)) onClose();
    };
    window.addEventListener("mousedown", close);
    window.addEventListener("keydown", close);
    window.addEventListener("wheel", close);
    return () => {
      window.removeEventListener("mousedown", close);
      window.removeEventListener("keydown", close);
      window.removeEventListener("wheel", close);
    };
  }, [onClose]);
  const pick = (targets: string[]) => {
    onClose();
    onRun(targets);
  };
  // Moved in from the window's edges, like quick-add.
  const place = { left: Math.min(at.x, window.innerWidth - MENU.width - 8), top: Math.min(at.y, window.innerHeight - MENU.height - 8) };
  const count = at.selected.length;
  return (
    <div ref={root} className="psy-menu__list psy-node-menu" role="menu" aria-label={`Node ${at.nodeId}`} data-testid="node-menu" data-node-id={at.nodeId} style={place}>
      <button type="button" role="menuitem" className="psy-menu__item" data-testid="run-to-here" disabled={running} onClick={() => pick([at.nodeId])}>
        <span>Run to here</span>
        <span className="psy-menu__hint">Shift + Enter</span>
      </button>
      <button
        type="button"
        role="menuitem"
        className="psy-menu__item"
        data-testid="run-selected"
        disabled={running || count === 0}
        title={count === 0 ? "Select the nodes to run first" : undefined}
        onClick={() => pick(at.selected)}
      >
        <span>Run selected{count > 0 ? ` (${count})` : ""}</span>
        <span className="psy-menu__hint">Ctrl/⌘ + Shift + Enter</span>
      </button>
    </div>
  );
}
