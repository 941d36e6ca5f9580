// Save as: a name checked as it is typed (the server's rule), the server's
// answer shown when it refuses, a note when the name is already taken.
import { useEffect, useId, useState, type FormEvent } from "react";
import { listWorkflows } from "../api/workflows";
import { saveAs } from "../actions/workflowActions";
import { NAME_MAX, workflowNameError } from "../lib/workflows";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { Dialog } from "./Dialog";

export function SaveAsDialog({ onClose }: { onClose: () => void }) {
  const current = useWorkflowStore((s) => s.name);
  const [name, setName] = useState(current ?? "");
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [taken, setTaken] = useState<Set<string>>(() => new Set());
  const inputId = useId();
  const hintId = useId();

  useEffect(() => {
    const abort = new AbortController();
    listWorkflows(abort.signal)
      .then((all) => setTaken(new Set(all.map((w) => w.name))))
      .catch(() => undefined); // only for the "already exists" note
    return () => abort.abort();
  }, []);

  const trimmed = name.trim();
  const problem = workflowNameError(trimmed);
  const shownProblem = problem && (tried || trimmed.length > 0) ? problem : null;
  const error = shownProblem ?? serverError;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problem || saving) return;
    setSaving(true);
    setServerError(null);
    try {
      await saveAs(trimmed);
      onClose();
    } catch (failure) {
      const text = failure instanceof Error ? failure.message : String(failure);
      setServerError(text);
      useUiStore.getState().toast(`Save failed: ${text}`, "error");
      setSaving(false);
    }
  };

  return (
    <Dialog title="Save workflow as" onClose={onClose} testId="save-as-dialog">
      <form className="psy-form" onSubmit={(event) => void submit(event)} noValidate data-testid="save-as-form">
        <label className="psy-form__label" htmlFor={inputId}>
          Workflow name
        </label>
        <input
          id={inputId}
          className={`psy-input psy-input--large psy-mono${error ? " is-invalid" : ""}`}
          data-testid="workflow-name-input"
          value={name}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          aria-invalid={!!error}
          aria-describedby={hintId}
          placeholder="my-workflow"
          onChange={(event) => {
            setName(event.target.value);
            setServerError(null);
          }}
        />
        <p id={hintId} className="psy-small psy-muted psy-form__hint">
          1–{NAME_MAX} letters, digits, <code>-</code> or <code>_</code>. Each save keeps a new version.
        </p>
        {error ? (
          <p className="psy-form__error" role="alert" data-testid="save-as-error">
            {error}
          </p>
        ) : null}
        {!problem && taken.has(trimmed) && trimmed !== current ? (
          <p className="psy-small psy-form__note" data-testid="save-as-exists">
            {`'${trimmed}' already exists: saving adds a new version to it.`}
          </p>
        ) : null}
        <div className="psy-dialog__actions">
          <button type="button" className="psy-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="psy-button psy-button--primary" data-testid="save-as-submit" disabled={saving}>
            {saving ? <span className="psy-spinner psy-spinner--light" /> : null}
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
