// The value editor of a variable node, one control per variable type.
import { memo, useState } from "react";
import type { VariableType } from "../lib/model";
import { JsonEditor } from "./JsonEditor";

export interface VariableValueProps {
  id: string;
  type: VariableType;
  value: unknown;
  onChange: (value: unknown) => void;
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error(`Could not read ${file.name}`));
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
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (!file) return;
              if (!file.type.startsWith("image/")) {
                setError("Not an image file");
                return;
              }
              setError(null);
              readAsDataUrl(file).then(onChange, (error: unknown) => setError(error instanceof Error ? error.message : String(error)));
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
          value={typeof value === "number" || typeof value === "string" ? value : ""}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
    );
  }
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value, null, 2);
  if (type === "List" || type === "Object") return <JsonEditor kind={type} text={text} onChange={onChange} />;
  return (
    <div className="psy-field">
      <textarea
        className="psy-input psy-textarea nodrag nowheel"
        data-testid="variable-value"
        aria-label="value"
        rows={2}
        placeholder="text"
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}

export const VariableValue = memo(VariableValueImpl);
