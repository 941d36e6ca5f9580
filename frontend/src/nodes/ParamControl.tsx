// One input control per parameter, typed by the schema.
import { memo, useState } from "react";
import type { ParamSchema } from "../api/types";
import { hasForm, rooted, type JsonSchema } from "../lib/jsonSchema";
import { placeholderFor, shapeOf, unionMembers } from "../lib/typecheck";
import { FileParam } from "./FileParam";
import { SchemaField } from "./SchemaForm";

export interface ParamControlProps {
  nodeId: string;
  param: ParamSchema;
  value: unknown;
  onChange: (name: string, value: unknown) => void;
}

function display(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Whether the typed `draft` already stands for `value` (the same JSON, however spaced). */
function showsValue(draft: string, value: unknown): boolean {
  if (display(value) === draft) return true;
  try {
    return JSON.stringify(JSON.parse(draft)) === JSON.stringify(value);
  } catch {
    return false; // draft is not JSON: replace it
  }
}

function JsonField({ nodeId, param, value, onChange }: ParamControlProps) {
  const [draft, setDraft] = useState(display(value));
  const [invalid, setInvalid] = useState(false);
  // Follow outside changes (undo, paste) unless they are what we typed: adjusted
  // while rendering, when the value differs from the one last seen.
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    if (!showsValue(draft, value)) setDraft(display(value));
  }
  const base = shapeOf(param.type).base;
  const container = !unionMembers(param.type) && (base === "list" || base === "dict" || base === "tuple" || base === "set");
  return (
    <input
      className={`psy-input nodrag${invalid ? " is-invalid" : ""}`}
      data-testid={`param-${nodeId}-${param.name}`}
      value={draft}
      placeholder={placeholderFor(param.type)}
      onChange={(event) => {
        const text = event.target.value;
        setDraft(text);
        try {
          onChange(param.name, text.trim() === "" ? "" : JSON.parse(text));
          setInvalid(false);
        } catch {
          onChange(param.name, text);
          setInvalid(container && text.trim() !== "");
        }
      }}
    />
  );
}

/** The bound a typed number breaks, in words (the run would be refused), or null. */
function brokenBound(value: unknown, bounds: ParamSchema["constraints"]): string | null {
  if (!bounds || value === "" || value === null || value === undefined) return null;
  const n = Number(value);
  if (Number.isNaN(n)) return null;
  if (bounds.minimum !== undefined && n < bounds.minimum) return `at least ${bounds.minimum}`;
  if (bounds.exclusiveMinimum !== undefined && n <= bounds.exclusiveMinimum) return `greater than ${bounds.exclusiveMinimum}`;
  if (bounds.maximum !== undefined && n > bounds.maximum) return `at most ${bounds.maximum}`;
  if (bounds.exclusiveMaximum !== undefined && n >= bounds.exclusiveMaximum) return `less than ${bounds.exclusiveMaximum}`;
  return null;
}

function ParamControlImpl(props: ParamControlProps) {
  const { nodeId, param, value, onChange } = props;
  const testId = `param-${nodeId}-${param.name}`;
  const base = shapeOf(param.type).base;
  if (base === "Path" || base === "PurePath" || base === "PosixPath") {
    return <FileParam testId={testId} name={param.name} value={value} onChange={onChange} />;
  }
  const rich = param.json_schema as JsonSchema | undefined;
  // A Literal with its values keeps its own select; an Optional[Literal] (no literal_values) takes the form's.
  if (rich && !param.literal_values && hasForm(rich)) {
    // An Enum, a dataclass, a TypedDict, a model, a bounded number, an image: a form of its schema.
    return <SchemaField testId={testId} schema={rooted(rich)} value={value} onChange={(next) => onChange(param.name, next)} />;
  }
  if (param.type === "Literal" || base === "Literal") {
    const options = param.literal_values ?? [];
    const current = options.findIndex((option) => option === value || String(option) === String(value));
    return (
      <select
        className="psy-input nodrag"
        data-testid={testId}
        value={current < 0 ? "" : String(current)}
        onChange={(event) => onChange(param.name, options[Number(event.target.value)])}
      >
        {current < 0 ? <option value="">choose…</option> : null}
        {options.map((option, index) => (
          <option key={index} value={String(index)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (base === "bool") {
    return (
      <input
        type="checkbox"
        className="psy-check nodrag"
        data-testid={testId}
        checked={value === true || value === "true"}
        onChange={(event) => onChange(param.name, event.target.checked)}
      />
    );
  }
  if (base === "int" || base === "float") {
    const bounds = param.constraints;
    const broken = brokenBound(value, bounds);
    return (
      <input
        type="number"
        className={`psy-input nodrag${broken ? " is-invalid" : ""}`}
        data-testid={testId}
        step={base === "int" ? 1 : "any"}
        min={bounds?.minimum}
        max={bounds?.maximum}
        title={broken ? `must be ${broken}` : undefined}
        value={typeof value === "number" || typeof value === "string" ? value : ""}
        placeholder={base}
        onChange={(event) => {
          const text = event.target.value;
          onChange(param.name, text === "" ? "" : Number(text));
        }}
      />
    );
  }
  if (base === "str") {
    return (
      <input
        className="psy-input nodrag"
        data-testid={testId}
        value={display(value)}
        placeholder="text"
        onChange={(event) => onChange(param.name, event.target.value)}
      />
    );
  }
  return <JsonField {...props} />;
}

export const ParamControl = memo(ParamControlImpl);
