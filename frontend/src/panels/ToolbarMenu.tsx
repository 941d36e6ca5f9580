// The toolbar's "More" menu: what a toolbar needs less often (files, clearing),
// so the run controls and the workflow's name always have room.
import { useEffect, useRef, useState, type ReactNode } from "react";

export interface MenuItem {
  label: string;
  testId: string;
  onSelect: () => void;
  danger?: boolean;
  hint?: string;
}

export function ToolbarMenu({ items, children }: { items: MenuItem[]; children?: ReactNode }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !root.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener("mousedown", close);
    window.addEventListener("keydown", close);
    return () => {
      window.removeEventListener("mousedown", close);
      window.removeEventListener("keydown", close);
    };
  }, [open]);
  return (
    <div className="psy-menu" ref={root}>
      <button
        type="button"
        className={`psy-button psy-button--ghost psy-button--icon${open ? " is-active" : ""}`}
        data-testid="more-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label="More: import, export, clear"
        title="More: import, export, clear"
        onClick={() => setOpen((o) => !o)}
      >
        ⋯
      </button>
      {open ? (
        <div className="psy-menu__list" role="menu" data-testid="more-menu">
          {items.map((item) => (
            <button
              key={item.testId}
              type="button"
              role="menuitem"
              className={`psy-menu__item${item.danger ? " psy-menu__item--danger" : ""}`}
              data-testid={item.testId}
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
            >
              <span>{item.label}</span>
              {item.hint ? <span className="psy-menu__hint">{item.hint}</span> : null}
            </button>
          ))}
        </div>
      ) : null}
      {children}
    </div>
  );
}
