// A form for a rich parameter, drawn from its JSON Schema (json_schema in the node's schema):
// a field per member of a dataclass, TypedDict or model (nested ones as nested groups), enums
// as selects, bounded numbers as sliders, images as an upload with a preview. Our own small
// renderer, not a JSON-Schema-form library: pydantic's schemas use a handful of keywords, and a
// library (with its validator) would weigh more than the editor's node code and bring its own look.
import { useState } from "react";
import { brokenBound, isBounded, optionsOf, resolve, type JsonSchema, type Rooted } from "../lib/jsonSchema";
import { ImageField } from "./ImageField";

export interface SchemaFieldProps {
  /** The test id of this field: `param-<node>-<param>`, then `.field` per level. */
  testId: string;
  schema: Rooted;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Inside a form, a field left empty is left out (its default applies). */
  nested?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function SchemaField({ testId, schema, value, onChange, nested = false }: SchemaFieldProps) {
  const resolved = resolve(schema);
  const { members } = optionsOf(resolved);
  const field = members.length === 1 ? resolve({ schema: members[0], root: schema.root }) : resolved;
  const at = (child: JsonSchema): Rooted => ({ schema: child, root: schema.root });
  const empty = nested ? undefined : "";
  if (field.properties) {
    const current = isRecord(value) ? value : {};
    const required = new Set(field.required ?? []);
    return (
      <fieldset className="psy-form nodrag" data-testid={testId}>
        {field.title ? <legend className="psy-form__title">{field.title}</legend> : null}
        {Object.entries(field.properties).map(([name, child]) => (
          <div className="psy-form__row" key={name}>
            <label className="psy-form__label" htmlFor={`${testId}.${name}`}>
              {name}
              {required.has(name) ? <span className="psy-form__required" title="required"> *</span> : null}
            </label>
            <SchemaField
              testId={`${testId}.${name}`}
              schema={at(child)}
              value={current[name]}
              nested
              onChange={(next) => {
                const updated = { ...current };
                if (next === undefined) delete updated[name];
                else updated[name] = next;
                // A form emptied is no value: the parameter's default applies (or it is missing).
                onChange(Object.keys(updated).length > 0 ? updated : undefined);
              }}
            />
          </div>
        ))}
      </fieldset>
    );
  }
  if (field.enum) {
    const options = field.enum;
    const index = value === undefined ? -1 : options.findIndex((option) => option === value || String(option) === shown(value));
    return (
      <select
        id={testId}
        className="psy-input nodrag"
        data-testid={testId}
        value={index < 0 ? "" : String(index)}
        onChange={(event) => onChange(event.target.value === "" ? empty : options[Number(event.target.value)])}
      >
        {index < 0 || nested ? <option value="">{nested && field.default !== undefined ? `default (${shown(field.default)})` : "choose…"}</option> : null}
        {options.map((option, i) => (
          <option key={i} value={String(i)}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (field["x-psynapse"] === "image") {
    return <ImageField testId={testId} value={value} onChange={onChange} />;
  }
  if (field.type === "boolean") {
    const checked = value === undefined ? field.default === true : value === true || value === "true";
    return <input id={testId} type="checkbox" className="psy-check nodrag" data-testid={testId} checked={checked} onChange={(event) => onChange(event.target.checked)} />;
  }
  if (field.type === "integer" || field.type === "number") {
    return <NumberField testId={testId} schema={field} value={value} onChange={onChange} empty={empty} />;
  }
  if (field.type === "string") {
    return (
      <input
        id={testId}
        className="psy-input nodrag"
        data-testid={testId}
        value={shown(value)}
        maxLength={field.maxLength}
        placeholder={field.default !== undefined ? shown(field.default) : "text"}
        onChange={(event) => onChange(event.target.value === "" ? empty : event.target.value)}
      />
    );
  }
  return <JsonText testId={testId} value={value} onChange={onChange} empty={empty} placeholder={field.default !== undefined ? shown(field.default) : "JSON"} />;
}

function NumberField({ testId, schema, value, onChange, empty }: { testId: string; schema: JsonSchema; value: unknown; onChange: (value: unknown) => void; empty: unknown }) {
  const broken = brokenBound(value, schema);
  const low = schema.minimum ?? schema.exclusiveMinimum;
  const high = schema.maximum ?? schema.exclusiveMaximum;
  const step = schema.multipleOf ?? (schema.type === "integer" ? 1 : low !== undefined && high !== undefined ? (high - low) / 100 : "any");
  const text = typeof value === "number" || typeof value === "string" ? value : "";
  const parse = (raw: string) => (raw === "" ? empty : Number(raw));
  const number = (
    <input
      id={testId}
      type="number"
      className={`psy-input nodrag${broken ? " is-invalid" : ""}`}
      data-testid={testId}
      step={step}
      min={low}
      max={high}
      title={broken ? `must be ${broken}` : undefined}
      value={text}
      placeholder={schema.default !== undefined ? shown(schema.default) : schema.type === "integer" ? "int" : "float"}
      onChange={(event) => onChange(parse(event.target.value))}
    />
  );
  if (!isBounded(schema)) return number;
  const fallback = typeof schema.default === "number" ? schema.default : low!;
  return (
    <span className="psy-slider nodrag">
      <input
        type="range"
        className="psy-slider__range nodrag nowheel"
        data-testid={`${testId}-slider`}
        aria-label={`${testId} slider`}
        min={low}
        max={high}
        step={step}
        value={text === "" ? fallback : text}
        onChange={(event) => onChange(Number(event.target.value))}
      />
      {number}
    </span>
  );
}

function JsonText({ testId, value, onChange, empty, placeholder }: { testId: string; value: unknown; onChange: (value: unknown) => void; empty: unknown; placeholder: string }) {
  const [draft, setDraft] = useState(shown(value));
  const [invalid, setInvalid] = useState(false);
  return (
    <input
      id={testId}
      className={`psy-input nodrag${invalid ? " is-invalid" : ""}`}
      data-testid={testId}
      value={draft}
      placeholder={placeholder}
      onChange={(event) => {
        const text = event.target.value;
        setDraft(text);
        if (text.trim() === "") {
          setInvalid(false);
          onChange(empty);
          return;
        }
        try {
          onChange(JSON.parse(text));
          setInvalid(false);
        } catch {
          onChange(text);
          setInvalid(true);
        }
      }}
    />
  );
}
