import { describe, expect, it } from "vitest";
import type { NodeSchema } from "../api/types";
import { nodeSchema } from "../test/schemas";
import { rooted, schemaMismatch, schemaOfParam, schemaOfType, type JsonSchema } from "./jsonSchema";
import type { PsyNode } from "./model";
import { checkConnection } from "./typecheck";
import { fitForNew } from "./wireFit";

// As pydantic writes them (tests/packs/testpack/ops.py's types).
const SIZE: JsonSchema = {
  title: "Size",
  type: "object",
  properties: { width: { title: "Width", type: "integer", minimum: 1, maximum: 4096 }, height: { title: "Height", type: "integer", default: 512 } },
  required: ["width"],
};
const SIZE_DICT: JsonSchema = {
  title: "SizeDict",
  type: "object",
  properties: { width: { title: "Width", type: "integer" }, height: { title: "Height", type: "integer" } },
  required: ["width", "height"],
};
const NAMED: JsonSchema = {
  title: "Named",
  type: "object",
  properties: { name: { type: "string" }, width: { type: "string" } },
  required: ["name"],
};
const SHADE: JsonSchema = { title: "Shade", type: "string", enum: ["light", "dark"] };
const CANVAS: JsonSchema = {
  $defs: { Size: SIZE, Shade: SHADE },
  title: "Canvas",
  type: "object",
  properties: { title: { type: "string" }, size: { $ref: "#/$defs/Size" }, shade: { $ref: "#/$defs/Shade", default: "light" } },
  required: ["title", "size"],
};
const POSTER: JsonSchema = {
  $defs: { Size: { ...SIZE, properties: { width: { type: "string" } } } },
  title: "Poster",
  type: "object",
  properties: { title: { type: "string" }, size: { $ref: "#/$defs/Size" } },
  required: ["title", "size"],
};

const fits = (from: JsonSchema, to: JsonSchema) => schemaMismatch(rooted(from), rooted(to));

describe("schemaMismatch", () => {
  it("fits a dataclass to a dict or a TypedDict of its shape", () => {
    expect(fits(SIZE, { type: "object" })).toBeNull();
    expect(fits({ ...SIZE, required: ["width", "height"] }, SIZE_DICT)).toBeNull();
    expect(fits(SIZE, SIZE_DICT)).toBeNull(); // height has a default: the dataclass always has it
    expect(fits({ type: "object" }, SIZE)).toBeNull(); // a plain dict: the runner checks its fields
  });

  it("refuses a shape without a required field, or with a field of another type", () => {
    expect(fits(SIZE, NAMED)).toBe("Size has no field 'name' that Named requires");
    expect(fits({ ...NAMED, properties: { name: { type: "integer" } } }, NAMED)).toBe("name: integer does not fit string");
    expect(fits(POSTER, CANVAS)).toBe("size: width: string does not fit integer");
    expect(fits(SIZE, { type: "integer" })).toBe("Size does not fit integer");
  });

  it("follows $refs through nested types", () => {
    expect(fits(CANVAS, CANVAS)).toBeNull();
    expect(fits(CANVAS, { ...CANVAS, $defs: { Size: SIZE_DICT, Shade: SHADE } })).toBeNull();
    expect(fits(CANVAS, { ...CANVAS, $defs: { Size: NAMED, Shade: SHADE } })).toBe("size: Size has no field 'name' that Named requires");
  });

  it("checks enums by their values", () => {
    expect(fits(SHADE, { type: "string" })).toBeNull();
    expect(fits({ type: "string" }, SHADE)).toBeNull();
    expect(fits({ enum: ["light"] }, SHADE)).toBeNull();
    expect(fits({ enum: ["light", "blue"], type: "string" }, SHADE)).toBe('"blue" not in Shade');
    expect(fits({ type: "integer" }, SHADE)).toBe("integer does not fit Shade");
  });

  it("takes Optional and union targets by any member, and integers for numbers", () => {
    expect(fits(SIZE, { anyOf: [{ type: "integer" }, { type: "null" }] })).toBe("Size does not fit integer");
    expect(fits({ type: "integer" }, { anyOf: [{ type: "number" }, { type: "null" }] })).toBeNull();
    expect(fits({ anyOf: [SIZE, { type: "null" }] }, SIZE_DICT)).toBeNull();
    expect(fits({ type: "array", items: SIZE }, { type: "array", items: NAMED })).toBe("items: Size has no field 'name' that Named requires");
  });

  it("fits anything to Any and images to image inputs", () => {
    expect(fits(SIZE, {})).toBeNull();
    const image: JsonSchema = { type: "string", contentMediaType: "image/png", "x-psynapse": "image" };
    expect(fits(schemaOfType("image")!, image)).toBeNull();
    expect(fits({ type: "integer" }, image)).toBe("integer is not an image");
    const array: JsonSchema = { type: "array", "x-psynapse": "ndarray" };
    expect(fits(image, array)).toBeNull(); // the runner gives the image's pixels
    expect(fits({ type: "array", items: { type: "integer" } }, array)).toBeNull();
    expect(fits({ type: "string" }, array)).toBe("string does not fit array");
  });
});

describe("schemaOfParam", () => {
  it("is the json_schema, else what the type, the Literal values and the bounds say", () => {
    expect(schemaOfParam({ name: "c", type: "Canvas", json_schema: CANVAS })).toBe(CANVAS);
    expect(schemaOfParam({ name: "m", type: "Literal", literal_values: ["a", 1] })).toEqual({ enum: ["a", 1] });
    expect(schemaOfParam({ name: "n", type: "int", constraints: { minimum: 0 } })).toEqual({ type: "integer", minimum: 0 });
    expect(schemaOfParam({ name: "o", type: "Optional[str]" })).toEqual({ anyOf: [{ type: "string" }, { type: "null" }] });
    expect(schemaOfParam({ name: "x", type: "Any" })).toBeNull();
  });
});

describe("checkConnection by JSON Schema", () => {
  const CATALOG: NodeSchema[] = [
    nodeSchema({ name: "make_size", params: [], returns: [{ name: "result", type: "Size", json_schema: SIZE }] }),
    nodeSchema({ name: "make_named", params: [], returns: [{ name: "result", type: "Named", json_schema: NAMED }] }),
    nodeSchema({ name: "size_area", params: [{ name: "size", type: "SizeDict", json_schema: { ...SIZE_DICT, required: ["width"] } }], returns: [{ name: "result", type: "int" }] }),
    nodeSchema({ name: "keys", params: [{ name: "d", type: "dict" }], returns: [{ name: "result", type: "list" }] }),
    nodeSchema({ name: "count", params: [{ name: "n", type: "int" }], returns: [{ name: "result", type: "dict" }] }),
  ];
  const schemaOf = (name: string) => CATALOG.find((s) => s.name === name);
  const fn = (id: string, functionName: string): PsyNode => ({ id, type: "functionNode", position: { x: 0, y: 0 }, data: { functionName } });
  const nodes = [fn("s", "make_size"), fn("n", "make_named"), fn("a", "size_area"), fn("k", "keys"), fn("c", "count")];
  const wire = (source: string, target: string, targetHandle: string) => ({ source, target, sourceHandle: "output", targetHandle });

  it("lets a dataclass output feed a dict input of its shape", () => {
    expect(checkConnection(wire("s", "a", "size"), nodes, [], schemaOf)).toEqual({ ok: true });
    expect(checkConnection(wire("s", "k", "d"), nodes, [], schemaOf)).toEqual({ ok: true });
    expect(checkConnection(wire("c", "a", "size"), nodes, [], schemaOf)).toEqual({ ok: true }); // a plain dict
  });

  it("refuses another shape, naming the field", () => {
    expect(checkConnection(wire("n", "a", "size"), nodes, [], schemaOf)).toEqual({
      ok: false,
      reason: "Type mismatch: Named output cannot feed SizeDict input 'size': width: string does not fit integer",
    });
    expect(checkConnection(wire("s", "c", "n"), nodes, [], schemaOf).reason).toBe(
      "Type mismatch: Size output cannot feed int input 'n': Size does not fit integer",
    );
  });

  it("offers a new node for a dropped wire by the schemas too", () => {
    const size = { nodeId: "s", handleId: "output", handleType: "source" as const, valueType: "Size", valueSchema: SIZE };
    const named = { nodeId: "n", handleId: "output", handleType: "source" as const, valueType: "Named", valueSchema: NAMED };
    expect(fitForNew({ type: "functionNode", name: "size_area" }, size, schemaOf)).toEqual({ handle: "size" });
    expect(fitForNew({ type: "functionNode", name: "size_area" }, named, schemaOf)).toBeNull();
    expect(fitForNew({ type: "functionNode", name: "count" }, size, schemaOf)).toBeNull();
    // A wire dragged back from the TypedDict input: which outputs fit it.
    const wanted = { nodeId: "a", handleId: "size", handleType: "target" as const, valueType: "SizeDict", valueSchema: SIZE_DICT };
    expect(fitForNew({ type: "functionNode", name: "make_size" }, wanted, schemaOf)).toEqual({ handle: "output" });
    expect(fitForNew({ type: "functionNode", name: "make_named" }, wanted, schemaOf)).toBeNull();
  });
});
