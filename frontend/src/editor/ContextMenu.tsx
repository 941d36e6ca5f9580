// The canvas's right-click menu: the Edit menu's commands where the pointer is.
import { memo, useEffect, useRef } from "react";
import { editItems, useSelectionFacts, type EditActions } from "../panels/editCommands";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";

function ContextMenuImpl({ actions }: { actions: EditActions }) {
  const at = useUiStore((s) => s.contextMenu);
  const close = useUiStore((s) => s.setContextMenu);
  const canUndo = useGraphStore((s) => s.past.length > 0);
  const canRedo = useGraphStore((s) => s.future.length > 0);
  const facts = useSelectionFacts();
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!at) return;
    const away = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !root.current?.contains(event.target as Node)) close(null);
    };
    window.addEventListener("mousedown", away);
    window.addEventListener("keydown", away);
    window.addEventListener("wheel", away);
    return () => {
      window.removeEventListener("mousedown", away);
      window.removeEventListener("keydown", away);
      window.removeEventListener("wheel", away);
    };
  }, [at, close]);
  if (!at) return null;
  const items = editItems(actions, facts, canUndo, canRedo).filter((item) => !item.disabled);
  return (
    <div ref={root} className="psy-context-menu" role="menu" data-testid="context-menu" style={{ left: at.x, top: at.y }}>
      {items.map((item) => (
        <button
          key={item.testId}
          type="button"
          role="menuitem"
          className={`psy-menu__item${item.danger ? " psy-menu__item--danger" : ""}`}
          data-testid={`context-${item.testId}`}
          onClick={() => {
            close(null);
            item.onSelect();
          }}
        >
          <span>{item.label}</span>
          {item.hint ? <span className="psy-menu__hint">{item.hint}</span> : null}
        </button>
      ))}
    </div>
  );
}

export const ContextMenu = memo(ContextMenuImpl);
