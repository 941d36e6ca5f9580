// A dialog asking a workflow's name: the name checked as it is typed (the server's
// rule, shown once something is typed or a submit was tried), the server's answer
// when it refuses, and a submit that saves under the trimmed name and closes.
import { useState, type FormEvent } from "react";
import { workflowNameError } from "../lib/workflows";

export interface WorkflowNameForm {
  name: string;
  trimmed: string;
  /** What is wrong with the name, shown or not yet. */
  problem: string | null;
  /** What the dialog shows: the name's problem once due, else the server's refusal. */
  error: string | null;
  saving: boolean;
  setName: (name: string) => void;
  submit: (event: FormEvent) => Promise<void>;
}

export const failureText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function useWorkflowNameForm(
  initial: string,
  save: (name: string) => Promise<unknown>,
  onClose: () => void,
  { blocked = false, onFailure }: { blocked?: boolean; onFailure?: (text: string) => void } = {},
): WorkflowNameForm {
  const [name, setTyped] = useState(initial);
  const [tried, setTried] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const trimmed = name.trim();
  const problem = workflowNameError(trimmed);
  const shownProblem = problem && (tried || trimmed.length > 0) ? problem : null;
  const error = shownProblem ?? serverError;

  const setName = (typed: string) => {
    setTyped(typed);
    setServerError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problem || saving || blocked) return;
    setSaving(true);
    setServerError(null);
    try {
      await save(trimmed);
      onClose();
    } catch (failure) {
      const text = failureText(failure);
      setServerError(text);
      onFailure?.(text);
      setSaving(false);
    }
  };

  return { name, trimmed, problem, error, saving, setName, submit };
}
