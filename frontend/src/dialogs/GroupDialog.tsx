// Group selection into subgraph: asks the new workflow's name (the server's rule,
// checked as it is typed), says what the group takes in and gives out, and shows
// why it cannot be grouped when it cannot.
import { useId, useMemo, useState, type FormEvent } from "react";
import { groupIntoSubgraph, previewGroup } from "../actions/groupActions";
import { NAME_MAX, workflowNameError } from "../lib/workflows";
import { Dialog } from "./Dialog";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function preview(name: string): { text: string; error: boolean } {
  try {
    const grouped = previewGroup(name || "group");
    const count = grouped.inner.nodes.length - grouped.inputs.length - grouped.outputs.length;
    const list = (names: string[]) => (names.length ? names.join(", ") : "none");
    return { text: `${count} node${count === 1 ? "" : "s"} become one Subgraph node. Inputs: ${list(grouped.inputs)}. Outputs: ${list(grouped.outputs)}.`, error: false };
  } catch (error) {
    return { text: message(error), error: true };
  }
}

export function GroupDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState("");
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const inputId = useId();
  const trimmed = name.trim();
  const problem = workflowNameError(trimmed);
  const shownProblem = problem && (tried || trimmed.length > 0) ? problem : null;
  const error = shownProblem ?? serverError;
  // The selection does not change while the dialog is up.
  const summary = useMemo(() => preview(""), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problem || saving || summary.error) return;
    setSaving(true);
    setServerError(null);
    try {
      await groupIntoSubgraph(trimmed);
      onClose();
    } catch (failure) {
      setServerError(message(failure));
      setSaving(false);
    }
  };

  return (
    <Dialog title="Group into subgraph" onClose={onClose} testId="group-dialog">
      <form className="psy-form" onSubmit={(event) => void submit(event)} noValidate>
        <p className={`psy-small ${summary.error ? "psy-form__error" : "psy-muted"}`} data-testid="group-summary">
          {summary.text}
        </p>
        <label className="psy-form__label" htmlFor={inputId}>
          Workflow name
        </label>
        <input
          id={inputId}
          className={`psy-input psy-input--large psy-mono${error ? " is-invalid" : ""}`}
          data-testid="group-name-input"
          value={name}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          aria-invalid={!!error}
          placeholder="my-subgraph"
          onChange={(event) => {
            setName(event.target.value);
            setServerError(null);
          }}
        />
        <p className="psy-small psy-muted psy-form__hint">
          1–{NAME_MAX} letters, digits, <code>-</code> or <code>_</code>. The selection is saved as this workflow; open the node to edit it.
        </p>
        {error ? (
          <p className="psy-form__error" role="alert" data-testid="group-error">
            {error}
          </p>
        ) : null}
        <div className="psy-dialog__actions">
          <button type="button" className="psy-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="psy-button psy-button--primary" data-testid="group-submit" disabled={saving || summary.error}>
            {saving ? <span className="psy-spinner psy-spinner--light" /> : null}
            Group
          </button>
        </div>
      </form>
    </Dialog>
  );
}
