// The name field of a dialog asking a workflow's name: label, input, the rule and
// what the name is for, and what is wrong with it.
import { useId, type ReactNode } from "react";
import type { WorkflowNameForm } from "../hooks/useWorkflowNameForm";
import { NAME_MAX } from "../lib/workflows";

export interface WorkflowNameFieldProps {
  form: WorkflowNameForm;
  placeholder: string;
  /** What the name is for, after the rule. */
  purpose: ReactNode;
  testId: string;
  errorTestId: string;
}

export function WorkflowNameField({ form, placeholder, purpose, testId, errorTestId }: WorkflowNameFieldProps) {
  const inputId = useId();
  const hintId = useId();
  return (
    <>
      <label className="psy-form__label" htmlFor={inputId}>
        Workflow name
      </label>
      <input
        id={inputId}
        className={`psy-input psy-input--large psy-mono${form.error ? " is-invalid" : ""}`}
        data-testid={testId}
        value={form.name}
        autoFocus
        autoComplete="off"
        spellCheck={false}
        aria-invalid={!!form.error}
        aria-describedby={hintId}
        placeholder={placeholder}
        onChange={(event) => form.setName(event.target.value)}
      />
      <p id={hintId} className="psy-small psy-muted psy-form__hint">
        1–{NAME_MAX} letters, digits, <code>-</code> or <code>_</code>. {purpose}
      </p>
      {form.error ? (
        <p className="psy-form__error" role="alert" data-testid={errorTestId}>
          {form.error}
        </p>
      ) : null}
    </>
  );
}
