// The in-page "are you sure?" (uiStore.ask): above any other dialog; Escape
// or the backdrop says no, and does not close the dialog beneath.
import { useEffect } from "react";
import { useUiStore } from "../store/uiStore";

export function ConfirmDialog() {
  const confirm = useUiStore((s) => s.confirm);
  const answer = useUiStore((s) => s.answer);
  useEffect(() => {
    if (!confirm) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      event.stopPropagation(); // the capture listener runs first: the dialog beneath stays open
      answer(false);
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [confirm, answer]);
  if (!confirm) return null;
  return (
    <div className="psy-backdrop psy-backdrop--top" onMouseDown={(event) => event.target === event.currentTarget && answer(false)}>
      <div
        className="psy-dialog psy-dialog--confirm"
        role="alertdialog"
        aria-modal="true"
        aria-label={confirm.title}
        aria-describedby="psy-confirm-message"
        data-testid="confirm-dialog"
      >
        <div className="psy-dialog__head">
          <h2>{confirm.title}</h2>
        </div>
        <div className="psy-dialog__body">
          <p id="psy-confirm-message" className="psy-confirm__message">
            {confirm.message}
          </p>
          <div className="psy-dialog__actions">
            <button type="button" className="psy-button" data-testid="confirm-cancel" onClick={() => answer(false)}>
              Cancel
            </button>
            <button
              type="button"
              className={`psy-button ${confirm.danger ? "psy-button--danger-solid" : "psy-button--primary"}`}
              data-testid="confirm-ok"
              autoFocus
              onClick={() => answer(true)}
            >
              {confirm.confirmLabel}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
