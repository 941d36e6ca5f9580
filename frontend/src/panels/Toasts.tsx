// Toasts, the wire hint while connecting, and the list of pre-run problems.
import { useUiStore } from "../store/uiStore";

export function Toasts() {
  const toasts = useUiStore((s) => s.toasts);
  const dismiss = useUiStore((s) => s.dismiss);
  const hint = useUiStore((s) => s.hint);
  return (
    <>
      {hint ? (
        <div className="psy-hint" role="status" data-testid="connection-hint">
          {hint}
        </div>
      ) : null}
      <div className="psy-toasts" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`psy-toast psy-toast--${toast.kind}`} data-testid="toast" onClick={() => dismiss(toast.id)}>
            <span>{toast.text}</span>
            {toast.action ? (
              <button
                type="button"
                className="psy-toast__action"
                data-testid="toast-action"
                onClick={(event) => {
                  event.stopPropagation();
                  dismiss(toast.id);
                  toast.action?.run();
                }}
              >
                {toast.action.label}
              </button>
            ) : null}
          </div>
        ))}
      </div>
    </>
  );
}

export function Issues({ onFocus }: { onFocus: (nodeId: string) => void }) {
  const issues = useUiStore((s) => s.issues);
  const setIssues = useUiStore((s) => s.setIssues);
  if (issues.length === 0) return null;
  return (
    <div className="psy-issues" role="alert" data-testid="run-issues">
      <div className="psy-issues__head">
        <strong>Cannot run yet</strong>
        <button type="button" className="psy-icon-button" aria-label="Dismiss" onClick={() => setIssues([])}>
          ✕
        </button>
      </div>
      <ul>
        {issues.map((issue, index) => (
          <li key={index}>
            {issue.nodeId ? (
              <button type="button" className="psy-link" onClick={() => onFocus(issue.nodeId!)}>
                {issue.message}
              </button>
            ) : (
              issue.message
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
