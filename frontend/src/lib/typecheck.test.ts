import { describe, expect, it } from "vitest";
import type { NodeSchema } from "../api/types";
import { SCHEMAS } from "../test/renderFlow";
import { nodeSchema } from "../test/schemas";
import { defaultVariableData } from "./factory";
import type { PsyEdge, PsyNode, VariableData } from "./model";
import { canFeed, checkConnection, formatsOf, shapeOf, typeLabel, unionMembers, variableOutputType } from "./typecheck";

const EXTRA: NodeSchema[] = [
  nodeSchema({ name: "sum_list", params: [{ name: "values", type: "list" }], returns: [{ name: "result", type: "float" }] }),
];
const schemaOf = (name: string) => [...SCHEMAS, ...EXTRA].find((s) => s.name === name);

function variable(id: string, patch: Partial<VariableData> = {}): PsyNode {
  return { id, type: "variableNode", position: { x: 0, y: 0 }, data: { ...defaultVariableData(), ...patch } };
}
function fn(id: string, functionName: string): PsyNode {
  return { id, type: "functionNode", position: { x: 0, y: 0 }, data: { functionName } };
}
const list = (id: string): PsyNode => ({ id, type: "listNode", position: { x: 0, y: 0 }, data: {} });
const view = (id: string): PsyNode => ({ id, type: "viewNode", position: { x: 0, y: 0 }, data: {} });
const wire = (source: string, target: string, targetHandle: string, sourceHandle = "output") => ({
  source,
  target,
  sourceHandle,
  targetHandle,
});

describe("canFeed", () => {
  it.each([
    ["int", "float", true],
    ["float", "float", true],
    ["str", "int", false],
    ["float", "int", false],
    ["bool", "int", false],
    ["str", "Any", true],
    ["dict", "Any", true],
    ["Any", "int", true],
    ["str", "Literal", true],
    ["Literal", "str", true],
    ["int", "Literal", false],
    ["list", "list[int]", true],
    ["list[int]", "list", true],
    ["list[str]", "list[int]", false],
    ["dict[str, Any]", "dict", true],
    ["list", "dict", false],
    ["int", "Optional[int]", true],
    ["Optional[int]", "float", true],
    ["int | None", "str", false],
    ["numpy.ndarray", "int", true],
  ])("%s into %s: %s", (source, target, ok) => {
    expect(canFeed(source, target).ok).toBe(ok);
  });

  it("explains a refusal", () => {
    expect(canFeed("str", "int").reason).toMatch(/str.*int/);
  });

  it("normalises generic and optional types", () => {
    expect(shapeOf("Optional[list[int]]")).toEqual({ base: "list", inner: "int" });
    expect(shapeOf("Dict[str, Any]").base).toBe("dict");
    expect(shapeOf("").base).toBe("Any");
  });
});

describe("variable output types", () => {
  it.each([
    ["Number", "float"],
    ["String", "str"],
    ["Boolean", "bool"],
    ["List", "list"],
    ["Object", "dict"],
    ["Image", "image"],
  ] as const)("%s gives %s", (variableType, type) => {
    expect(variableOutputType({ ...defaultVariableData(), variableType })).toBe(type);
  });

  it("is a dict when formatted as a message", () => {
    expect(variableOutputType({ ...defaultVariableData(), llmMessageFormat: true })).toBe("dict");
    expect(variableOutputType({ ...defaultVariableData(), textContentFormat: true })).toBe("dict");
    expect(variableOutputType({ ...defaultVariableData(), variableType: "Image", imageContentFormat: true })).toBe("dict");
  });

  it("offers message formats only to text and images: a Number's stale flags mean nothing", () => {
    expect(formatsOf("String")).toEqual({ llm: true, text: true, image: false });
    expect(formatsOf("Image")).toEqual({ llm: true, text: false, image: true });
    expect(formatsOf("Number")).toEqual({ llm: false, text: false, image: false });
    expect(variableOutputType({ ...defaultVariableData(), variableType: "Number", llmMessageFormat: true, textContentFormat: true })).toBe("float");
  });

  it("lets an image feed text inputs, as the data URL it is, and nothing numeric", () => {
    expect(canFeed("image", "str").ok).toBe(true);
    expect(canFeed("image", "Any").ok).toBe(true);
    expect(canFeed("image", "int").ok).toBe(false);
  });
});

describe("unions", () => {
  it("takes what any member takes: one message or a list of them", () => {
    const messages = "Union[list[dict], dict, str]";
    expect(unionMembers(messages)).toEqual(["list[dict]", "dict", "str"]);
    expect(canFeed("dict", messages).ok).toBe(true);
    expect(canFeed("list", messages).ok).toBe(true);
    expect(canFeed("str", messages).ok).toBe(true);
    expect(canFeed("float", messages).ok).toBe(false);
    expect(canFeed("int", "int | str").ok).toBe(true);
    expect(unionMembers("Optional[int]")).toBeNull();
  });

  it("reads as a person writes it", () => {
    expect(typeLabel("Union[list[dict], dict, str]")).toBe("list[dict] | dict | str");
    expect(typeLabel("Optional[int]")).toBe("int?");
    expect(typeLabel("Literal")).toBe("choice");
    expect(typeLabel("float")).toBe("float");
  });
});

describe("a value where a list is wanted", () => {
  it("is refused with the fix: a List node in between", () => {
    const nodes = [variable("m", { llmMessageFormat: true }), fn("s", "sum_list")];
    const verdict = checkConnection(wire("m", "s", "values"), nodes, [], schemaOf);
    expect(verdict.ok).toBe(false);
    expect(verdict.wrapInList).toBe(true);
    expect(verdict.reason).toBe("Type mismatch: dict output cannot feed list input 'values'. Put a List node in between to make a list of it");
  });
});

describe("checkConnection", () => {
  const nodes = [
    variable("num", { variableType: "Number" }),
    variable("txt", { variableType: "String" }),
    fn("add", "add"),
    fn("iadd", "int_add"),
    fn("round", "round_number"),
    fn("cfg", "configure"),
    fn("split", "split_name"),
    fn("fmt", "format_text"),
    list("l"),
    view("v"),
  ];
  const check = (c: ReturnType<typeof wire>, edges: PsyEdge[] = []) => checkConnection(c, nodes, edges, schemaOf);

  it("accepts a number variable into a float parameter", () => {
    expect(check(wire("num", "add", "a")).ok).toBe(true);
  });

  it("refuses a string variable into an int parameter, with the reason", () => {
    const verdict = check(wire("txt", "iadd", "a"));
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toContain("str");
    expect(verdict.reason).toContain("int");
  });

  it("accepts int output into float, refuses float output into int", () => {
    expect(check(wire("round", "add", "a")).ok).toBe(true);
    expect(check(wire("add", "iadd", "a")).ok).toBe(false);
  });

  it("lets Any take everything and Literal take strings", () => {
    expect(check(wire("num", "fmt", "value")).ok).toBe(true);
    expect(check(wire("txt", "cfg", "choice")).ok).toBe(true);
    expect(check(wire("num", "cfg", "choice")).ok).toBe(false);
  });

  it("uses the output key of multi-output nodes", () => {
    expect(check(wire("split", "cfg", "text", "first")).ok).toBe(true);
    expect(check(wire("split", "cfg", "text", "middle")).ok).toBe(false);
  });

  it("lets lists and views take anything", () => {
    expect(check(wire("txt", "l", "input-0")).ok).toBe(true);
    expect(check(wire("l", "v", "input")).ok).toBe(true);
    expect(check(wire("l", "add", "a")).ok).toBe(false); // list into float
  });

  it("refuses unknown handles, self wires, inputs into variables and cycles", () => {
    expect(check(wire("num", "add", "zzz")).ok).toBe(false);
    expect(check(wire("add", "add", "a")).ok).toBe(false);
    expect(check(wire("add", "num", "input")).ok).toBe(false);
    const edges = [{ id: "e1", ...wire("add", "fmt", "value") }];
    expect(check(wire("fmt", "add", "a"), edges).reason).toMatch(/cycle/);
  });
});
