// The JSON Schemas of rich parameters and outputs (`json_schema` in the node's schema, written
// by pydantic): reading them ($ref, anyOf, bounds), and whether one value's schema fits another's.
import type { ParamSchema } from "../api/types";

// A type, not an interface: the API types take it as the record of unknowns it is.
export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  contentMediaType?: string;
  /** What a value JSON cannot be is: an image (a PIL image) or an array (numpy). */
  "x-psynapse"?: "image" | "ndarray";
};

/** A schema with its `$defs` at hand, so its `$ref`s can be followed. */
export interface Rooted {
  schema: JsonSchema;
  root: JsonSchema;
}

export function rooted(schema: JsonSchema): Rooted {
  return { schema, root: schema };
}

/** `schema` with its `$ref` followed (and a single `allOf`, which pydantic writes for a ref with a default). */
export function resolve({ schema, root }: Rooted): JsonSchema {
  let current = schema;
  for (let depth = 0; depth < 32; depth++) {
    if (current.$ref) {
      const name = /^#\/\$defs\/(.+)$/.exec(current.$ref)?.[1];
      const target = name ? root.$defs?.[decodeURIComponent(name)] : undefined;
      if (!target) return {};
      const rest: JsonSchema = { ...current };
      delete rest.$ref;
      current = { ...target, ...rest };
    } else if (current.allOf?.length === 1) {
      const { allOf, ...rest } = current;
      current = { ...allOf[0], ...rest };
    } else {
      return current;
    }
  }
  return current;
}

/** The members of a schema's `anyOf`/`oneOf` other than null, and whether null was one. */
export function optionsOf(schema: JsonSchema): { members: JsonSchema[]; nullable: boolean } {
  const options = schema.anyOf ?? schema.oneOf;
  if (!options) return { members: [schema], nullable: false };
  const members = options.filter((option) => option.type !== "null");
  return { members, nullable: members.length < options.length };
}

const PLAIN: Record<string, JsonSchema> = {
  int: { type: "integer" },
  float: { type: "number" },
  str: { type: "string" },
  bool: { type: "boolean" },
  list: { type: "array" },
  dict: { type: "object" },
  tuple: { type: "array" },
  set: { type: "array" },
  image: { type: "string", "x-psynapse": "image" },
};

/** The JSON Schema of a plain type string (`int`, `dict[str, Any]`), or null for one we cannot read. */
export function schemaOfType(type: string | null | undefined): JsonSchema | null {
  const text = (type ?? "").trim();
  const optional = /^Optional\[(.*)\]$/.exec(text);
  if (optional) {
    const inner = schemaOfType(optional[1]);
    return inner ? { anyOf: [inner, { type: "null" }] } : null;
  }
  const base = /^([A-Za-z_][\w.]*)(\[.*\])?$/.exec(text)?.[1];
  const found = base ? PLAIN[base] ?? PLAIN[base.toLowerCase()] : undefined;
  return found ? { ...found } : null;
}

/** A parameter's schema: its `json_schema`, else what its type, Literal values and bounds say. */
export function schemaOfParam(param: ParamSchema): JsonSchema | null {
  if (param.json_schema) return param.json_schema;
  if (param.literal_values) return { enum: param.literal_values };
  const plain = schemaOfType(param.type);
  if (plain && param.constraints) return { ...plain, ...param.constraints };
  return plain;
}

function typesOf(schema: JsonSchema): string[] | null {
  if (schema.enum) return [...new Set(schema.enum.map(jsonTypeOf))];
  if (schema.const !== undefined) return [jsonTypeOf(schema.const)];
  if (schema.type === undefined) return schema.properties ? ["object"] : null;
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function describe(schema: JsonSchema): string {
  // A class's title is its name (Size, Shade); a plain field's is only its name made readable.
  if (schema.title && (schema.enum || schema.properties)) return schema.title;
  if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  const types = typesOf(schema);
  return types ? types.join(" | ") : "any value";
}

/**
 * Why a value of schema `from` cannot feed an input of schema `to` (null when it can).
 * Structural: an object fits when it has every field the input requires and the fields both
 * name fit; a schema without a type (Any) fits and takes anything.
 */
export function schemaMismatch(fromRooted: Rooted, toRooted: Rooted, path = ""): string | null {
  const from = resolve(fromRooted);
  const to = resolve(toRooted);
  const at = (child: JsonSchema, root: JsonSchema): Rooted => ({ schema: child, root });
  const targets = optionsOf(to);
  if (targets.members.length > 1 || targets.nullable) {
    const fits = targets.members.some((member) => schemaMismatch(fromRooted, at(member, toRooted.root), path) === null);
    return fits ? null : `${path}${describe(from)} does not fit ${targets.members.map(describe).join(" | ")}`;
  }
  const sources = optionsOf(from);
  if (sources.members.length > 1 || sources.nullable) {
    // An Optional or union output: one of its kinds must fit (the runner checks the value).
    const fits = sources.members.some((member) => schemaMismatch(at(member, fromRooted.root), toRooted, path) === null);
    return fits ? null : `${path}${describe(from)} does not fit ${describe(to)}`;
  }
  const toTypes = typesOf(to);
  const fromTypes = typesOf(from);
  if (!toTypes || !fromTypes) return null;
  if (to["x-psynapse"] === "image" && from["x-psynapse"] !== "image" && !fromTypes.includes("string")) {
    return `${path}${describe(from)} is not an image`;
  }
  if (to["x-psynapse"] === "ndarray" && from["x-psynapse"] === "image") return null; // an image's pixels
  const fitsType = fromTypes.some((t) => toTypes.includes(t) || (t === "integer" && toTypes.includes("number")));
  if (!fitsType) return `${path}${describe(from)} does not fit ${describe(to)}`;
  if (to.enum) {
    if (!from.enum) return null; // a string may be one of them: the runner checks
    const outside = from.enum.filter((value) => !to.enum!.some((allowed) => allowed === value));
    return outside.length ? `${path}${outside.map((v) => JSON.stringify(v)).join(", ")} not in ${describe(to)}` : null;
  }
  if (toTypes.includes("object") && from.properties && to.properties) {
    for (const name of to.required ?? []) {
      if (!(name in from.properties)) return `${path}${describe(from)} has no field '${name}' that ${describe(to)} requires`;
    }
    for (const [name, field] of Object.entries(to.properties)) {
      const given = from.properties[name];
      if (!given) continue;
      const inner = schemaMismatch(at(given, fromRooted.root), at(field, toRooted.root), `${path}${name}: `);
      if (inner) return inner;
    }
  }
  if (toTypes.includes("array") && from.items && to.items) {
    return schemaMismatch(at(from.items, fromRooted.root), at(to.items, toRooted.root), `${path}items: `);
  }
  return null;
}

// -- forms (nodes/SchemaForm.tsx) ----------------------------------------------

/** Whether a schema is one the form draws better than a JSON field. */
export function hasForm(schema: JsonSchema): boolean {
  const resolved = resolve({ schema, root: schema });
  const { members } = optionsOf(resolved);
  if (members.length !== 1) return false;
  const only = resolve({ schema: members[0], root: schema });
  return Boolean(only.properties || only.enum || only["x-psynapse"] === "image" || isBounded(only));
}

export function isBounded(schema: JsonSchema): boolean {
  const low = schema.minimum ?? schema.exclusiveMinimum;
  const high = schema.maximum ?? schema.exclusiveMaximum;
  return (schema.type === "integer" || schema.type === "number") && low !== undefined && high !== undefined;
}

/** The bound a number breaks, in words, or null. */
export function brokenBound(value: unknown, schema: JsonSchema): string | null {
  if (value === "" || value === null || value === undefined) return null;
  const n = Number(value);
  if (Number.isNaN(n)) return "a number";
  if (schema.type === "integer" && !Number.isInteger(n)) return "a whole number";
  if (schema.minimum !== undefined && n < schema.minimum) return `at least ${schema.minimum}`;
  if (schema.exclusiveMinimum !== undefined && n <= schema.exclusiveMinimum) return `greater than ${schema.exclusiveMinimum}`;
  if (schema.maximum !== undefined && n > schema.maximum) return `at most ${schema.maximum}`;
  if (schema.exclusiveMaximum !== undefined && n >= schema.exclusiveMaximum) return `less than ${schema.exclusiveMaximum}`;
  return null;
}
