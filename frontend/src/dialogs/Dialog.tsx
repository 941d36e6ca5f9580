// A small modal: Escape or the backdrop closes it.
import { useEffect, type ReactNode } from "react";

export interface DialogProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}

export function Dialog({ title, onClose, children, testId, wide }: DialogProps) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  return (
    <div className="psy-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className={`psy-dialog${wide ? " psy-dialog--wide" : ""}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <div className="psy-dialog__head">
          <h2>{title}</h2>
          <button type="button" className="psy-icon-button" aria-label="Close" onClick={onClose}>
            ✕
          </button>
        </div>
        <div className="psy-dialog__body">{children}</div>
      </div>
    </div>
  );
}
