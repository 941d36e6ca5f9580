// The value editor of List and Object variables: JSON checked as it is typed, the
// problem said in words with its line and column, and a Format button.
import { memo } from "react";
import { formatJson, jsonProblem, type JsonKind } from "../lib/jsonCheck";

export interface JsonEditorProps {
  kind: JsonKind;
  text: string;
  onChange: (text: string) => void;
}

const PLACEHOLDER: Record<JsonKind, string> = {
  List: '[1, 2, 3]  or  ["a", "b"]',
  Object: '{"key": "value"}',
};

function summary(kind: JsonKind, text: string): string {
  const parsed: unknown = JSON.parse(text);
  const count = Array.isArray(parsed) ? parsed.length : Object.keys(parsed as object).length;
  return kind === "List" ? `${count} item${count === 1 ? "" : "s"}` : `${count} key${count === 1 ? "" : "s"}`;
}

function JsonEditorImpl({ kind, text, onChange }: JsonEditorProps) {
  const problem = jsonProblem(kind, text);
  const filled = text.trim() !== "";
  const lines = Math.min(10, Math.max(3, text.split("\n").length));
  return (
    <div className="psy-field psy-json">
      <textarea
        className={`psy-input psy-textarea psy-mono nodrag nowheel${problem ? " is-invalid" : ""}`}
        data-testid="variable-value"
        aria-label="value"
        aria-invalid={!!problem}
        rows={lines}
        spellCheck={false}
        placeholder={PLACEHOLDER[kind]}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
      <div className="psy-json__status">
        {problem ? (
          <span className="psy-field-error" role="alert" data-testid="variable-json-error">
            {problem}
          </span>
        ) : (
          <span className="psy-json__ok" data-testid="variable-json-ok">
            {filled ? `✓ ${summary(kind, text)}` : kind === "List" ? "Empty: an empty list" : "Empty: an empty object"}
          </span>
        )}
        {filled && !problem ? (
          <button
            type="button"
            className="psy-button psy-button--small psy-button--ghost nodrag"
            data-testid="json-format"
            title="Lay the JSON out over lines"
            onClick={() => onChange(formatJson(text) ?? text)}
          >
            Format
          </button>
        ) : null}
      </div>
    </div>
  );
}

export const JsonEditor = memo(JsonEditorImpl);
