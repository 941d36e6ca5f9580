// Group selection into subgraph: asks the new workflow's name (the server's rule,
// checked as it is typed), says what the group takes in and gives out, and shows
// why it cannot be grouped when it cannot.
import { useMemo } from "react";
import { groupIntoSubgraph, previewGroup } from "../actions/groupActions";
import { failureText, useWorkflowNameForm } from "../hooks/useWorkflowNameForm";
import { Dialog } from "./Dialog";
import { WorkflowNameField } from "./WorkflowNameField";

function preview(name: string): { text: string; error: boolean } {
  try {
    const grouped = previewGroup(name || "group");
    const count = grouped.inner.nodes.length - grouped.inputs.length - grouped.outputs.length;
    const list = (names: string[]) => (names.length ? names.join(", ") : "none");
    return { text: `${count} node${count === 1 ? "" : "s"} become one Subgraph node. Inputs: ${list(grouped.inputs)}. Outputs: ${list(grouped.outputs)}.`, error: false };
  } catch (error) {
    return { text: failureText(error), error: true };
  }
}

export function GroupDialog({ onClose }: { onClose: () => void }) {
  // The selection does not change while the dialog is up.
  const summary = useMemo(() => preview(""), []);
  const form = useWorkflowNameForm("", (name) => groupIntoSubgraph(name), onClose, { blocked: summary.error });

  return (
    <Dialog title="Group into subgraph" onClose={onClose} testId="group-dialog">
      <form className="psy-form" onSubmit={(event) => void form.submit(event)} noValidate>
        <p className={`psy-small ${summary.error ? "psy-form__error" : "psy-muted"}`} data-testid="group-summary">
          {summary.text}
        </p>
        <WorkflowNameField
          form={form}
          placeholder="my-subgraph"
          purpose="The selection is saved as this workflow; open the node to edit it."
          testId="group-name-input"
          errorTestId="group-error"
        />
        <div className="psy-dialog__actions">
          <button type="button" className="psy-button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="psy-button psy-button--primary" data-testid="group-submit" disabled={form.saving || summary.error}>
            {form.saving ? <span className="psy-spinner psy-spinner--light" /> : null}
            Group
          </button>
        </div>
      </form>
    </Dialog>
  );
}
