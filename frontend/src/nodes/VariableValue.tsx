// The value editor of a variable node, one control per variable type.
import { memo } from "react";
import type { VariableType } from "../lib/model";
import { ImageField } from "./ImageField";
import { JsonEditor } from "./JsonEditor";

export interface VariableValueProps {
  id: string;
  type: VariableType;
  value: unknown;
  onChange: (value: unknown) => void;
}

function VariableValueImpl(props: VariableValueProps) {
  const { type, value, onChange } = props;
  if (type === "Image") return <ImageField testId="variable-image" value={value} onChange={onChange} />;
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
