// Save as: a name checked as it is typed (the server's rule), the server's
// answer shown when it refuses, a note when the name is already taken.
import { useEffect, useState } from "react";
import { listWorkflows } from "../api/workflows";
import { saveAs } from "../actions/workflowActions";
import { useWorkflowNameForm } from "../hooks/useWorkflowNameForm";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { Dialog } from "./Dialog";
import { WorkflowNameField } from "./WorkflowNameField";

const toastFailure = (text: string) => useUiStore.getState().toast(`Save failed: ${text}`, "error");

export function SaveAsDialog({ onClose }: { onClose: () => void }) {
  const current = useWorkflowStore((s) => s.name);
  const form = useWorkflowNameForm(current ?? "", (name) => saveAs(name), onClose, { onFailure: toastFailure });
  const [taken, setTaken] = useState<Set<string>>(() => new Set());

  useEffect(() => {
    const abort = new AbortController();
    listWorkflows(abort.signal)
      .then((all) => setTaken(new Set(all.map((w) => w.name))))
      .catch(() => undefined); // only for the "already exists" note
    return () => abort.abort();
  }, []);

  const { trimmed } = form;
  return (
    <Dialog title="Save workflow as" onClose={onClose} testId="save-as-dialog">
      <form className="psy-form" onSubmit={(event) => void form.submit(event)} noValidate data-testid="save-as-form">
        <WorkflowNameField
          form={form}
          placeholder="my-workflow"
          purpose="Each save keeps a new version."
          testId="workflow-name-input"
          errorTestId="save-as-error"
        />
        {!form.problem && taken.has(trimmed) && trimmed !== current ? (
          <p className="psy-small psy-form__note" data-testid="save-as-exists">
            {`'${trimmed}' already exists: saving adds a new version to it.`}
          </p>
        ) : null}
        <div className="psy-dialog__actions">
          <button type="button" className="psy-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="psy-button psy-button--primary" data-testid="save-as-submit" disabled={form.saving}>
            {form.saving ? <span className="psy-spinner psy-spinner--light" /> : null}
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
