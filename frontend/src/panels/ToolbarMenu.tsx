// The toolbar's menus: "More" (what a toolbar needs less often: files, clearing, so
// the run controls and the workflow's name always have room) and "Edit".
import { useRef, useState, type ReactNode } from "react";
import { useDismiss } from "../hooks/useDismiss";

export interface MenuItem {
  label: string;
  testId: string;
  onSelect: () => void;
  danger?: boolean;
  hint?: string;
  disabled?: boolean;
}

/** The button that opens a menu: "⋯ More" unless told otherwise. */
export interface MenuButton {
  text: string;
  label: string;
  testId: string;
  icon?: boolean;
}

const MORE: MenuButton = { text: "⋯", label: "More: import, export, clear", testId: "more-button", icon: true };

export function ToolbarMenu({ items, children, button = MORE, menuTestId = "more-menu" }: { items: MenuItem[]; children?: ReactNode; button?: MenuButton; menuTestId?: string }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useDismiss(open, root, () => setOpen(false));
  return (
    <div className="psy-menu" ref={root}>
      <button
        type="button"
        className={`psy-button psy-button--ghost${button.icon ? " psy-button--icon" : ""}${open ? " is-active" : ""}`}
        data-testid={button.testId}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={button.label}
        title={button.label}
        onClick={() => setOpen((o) => !o)}
      >
        {button.text}
      </button>
      {open ? (
        <div className="psy-menu__list" role="menu" data-testid={menuTestId}>
          {items.map((item) => (
            <button
              key={item.testId}
              type="button"
              role="menuitem"
              className={`psy-menu__item${item.danger ? " psy-menu__item--danger" : ""}`}
              data-testid={item.testId}
              disabled={item.disabled}
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
