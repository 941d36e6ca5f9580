// The value editor of a variable node, one control per variable type.
import { memo, useState } from "react";
import type { VariableType } from "../lib/model";

export interface VariableValueProps {
  id: string;
  type: VariableType;
  value: unknown;
  onChange: (value: unknown) => void;
}

export function jsonProblem(type: "List" | "Object", text: string): string | null {
  if (!text.trim()) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (type === "List" && !Array.isArray(parsed)) return "Expected a JSON array, e.g. [1, 2]";
    if (type === "Object" && (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))) {
      return 'Expected a JSON object, e.g. {"a": 1}';
    }
    return null;
  } catch (error) {
    return (error as Error).message.replace(/^JSON\.parse: /, "");
  }
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function ImageValue({ value, onChange }: VariableValueProps) {
  const [error, setError] = useState<string | null>(null);
  const url = typeof value === "string" ? value : "";
  return (
    <div className="psy-image">
      {url.startsWith("data:image/") ? (
        <img className="psy-image__preview" src={url} alt="variable" data-testid="variable-image-preview" />
      ) : (
        <div className="psy-image__empty">No image</div>
      )}
      <div className="psy-image__actions">
        <label className="psy-button psy-button--small nodrag">
          Upload…
          <input
            type="file"
            accept="image/*"
            className="psy-hidden-input"
            data-testid="variable-image-input"
            onChange={async (event) => {
              const file = event.target.files?.[0];
              if (!file) return;
              if (!file.type.startsWith("image/")) {
                setError("Not an image file");
                return;
              }
              setError(null);
              onChange(await readAsDataUrl(file));
            }}
          />
        </label>
        {url ? (
          <button type="button" className="psy-button psy-button--small psy-button--ghost nodrag" onClick={() => onChange("")}>
            Clear
          </button>
        ) : null}
      </div>
      {error ? <div className="psy-field-error">{error}</div> : null}
    </div>
  );
}

function VariableValueImpl(props: VariableValueProps) {
  const { type, value, onChange } = props;
  if (type === "Image") return <ImageValue {...props} />;
  if (type === "Boolean") {
    const checked = value === true || value === "true";
    return (
      <label className="psy-option psy-option--value nodrag">
        <input type="checkbox" data-testid="variable-value" checked={checked} onChange={(e) => onChange(e.target.checked)} />
        {checked ? "true" : "false"}
      </label>
    );
  }
  if (type === "Number") {
    return (
      <div className="psy-field">
        <input
          type="number"
          step="any"
          className="psy-input nodrag"
          data-testid="variable-value"
          aria-label="value"
          value={value === undefined || value === null ? "" : String(value)}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
    );
  }
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value, null, 2);
  const problem = type === "List" || type === "Object" ? jsonProblem(type, text) : null;
  return (
    <div className="psy-field">
      <textarea
        className={`psy-input psy-textarea nodrag nowheel${type !== "String" ? " psy-mono" : ""}${problem ? " is-invalid" : ""}`}
        data-testid="variable-value"
        aria-label="value"
        rows={type === "String" ? 2 : 3}
        spellCheck={type === "String"}
        placeholder={type === "List" ? "[1, 2, 3]" : type === "Object" ? '{"key": "value"}' : "text"}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
      {problem ? (
        <div className="psy-field-error" data-testid="variable-json-error">
          {problem}
        </div>
      ) : null}
    </div>
  );
}

export const VariableValue = memo(VariableValueImpl);
