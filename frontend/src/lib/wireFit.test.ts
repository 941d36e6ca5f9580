import { describe, expect, it } from "vitest";
import type { NodeSchema } from "../api/types";
import { SCHEMAS } from "../test/renderFlow";
import { nodeSchema } from "../test/schemas";
import { defaultVariableData } from "./factory";
import type { PsyEdge, PsyNode, VariableData } from "./model";
import { fitForNew, handleOnNode, type WireEnd } from "./wireFit";

const LLM: NodeSchema = nodeSchema({
  name: "openai_chat_completion",
  params: [
    { name: "model", type: "str" },
    { name: "messages", type: "Union[list[dict], dict, str]" },
    { name: "temperature", type: "float", default: 0.7 },
  ],
  returns: [{ name: "result", type: "dict" }],
});
const ALL = [...SCHEMAS, LLM];
const schemaOf = (name: string) => ALL.find((s) => s.name === name);
const at = { x: 0, y: 0 };
const variable = (id: string, patch: Partial<VariableData> = {}): PsyNode => ({ id, type: "variableNode", position: at, data: { ...defaultVariableData(), ...patch } });
const fn = (id: string, functionName: string): PsyNode => ({ id, type: "functionNode", position: at, data: { functionName } });
const list = (id: string): PsyNode => ({ id, type: "listNode", position: at, data: {} });
const wire = (source: string, target: string, targetHandle: string): PsyEdge => ({ id: `${source}-${target}-${targetHandle}`, source, target, sourceHandle: "output", targetHandle });
const from = (nodeId: string, valueType: string): WireEnd => ({ nodeId, handleId: "output", handleType: "source", valueType });

describe("a wire dropped on a node's body", () => {
  it("takes the first free input that fits", () => {
    const nodes = [variable("n", { variableType: "Number" }), fn("add_1", "add")];
    expect(handleOnNode(nodes[1], from("n", "float"), nodes, [], schemaOf).handle).toBe("a");
    expect(handleOnNode(nodes[1], from("n", "float"), nodes, [wire("x", "add_1", "a")], schemaOf).handle).toBe("b");
  });

  it("skips inputs of another type, and says why when none fits", () => {
    const nodes = [variable("t"), fn("c", "configure"), fn("i", "int_add")];
    expect(handleOnNode(nodes[1], from("t", "str"), nodes, [], schemaOf).handle).toBe("text");
    const refused = handleOnNode(nodes[2], from("t", "str"), nodes, [], schemaOf);
    expect(refused.handle).toBeNull();
    expect(refused.verdict.reason).toMatch(/str output cannot feed int input 'a'/);
  });

  it("prefers the row under the pointer, and a list's free input", () => {
    const nodes = [variable("n", { variableType: "Number" }), fn("add_1", "add"), list("l")];
    expect(handleOnNode(nodes[1], from("n", "float"), nodes, [], schemaOf, "b").handle).toBe("b");
    expect(handleOnNode(nodes[2], from("n", "float"), nodes, [wire("x", "l", "input-0")], schemaOf).handle).toBe("input-1");
  });

  it("replaces a wire when every input that fits is taken", () => {
    const nodes = [variable("n", { variableType: "Number" }), fn("add_1", "add")];
    const edges = [wire("x", "add_1", "a"), wire("y", "add_1", "b")];
    expect(handleOnNode(nodes[1], from("n", "float"), nodes, edges, schemaOf).handle).toBe("a");
  });

  it("takes one LLM message into the messages input", () => {
    const nodes = [variable("m", { llmMessageFormat: true }), fn("llm", "openai_chat_completion")];
    expect(handleOnNode(nodes[1], from("m", "dict"), nodes, [], schemaOf, "messages").handle).toBe("messages");
  });

  it("from an input, takes the node's output", () => {
    const nodes = [fn("add_1", "add"), variable("n", { variableType: "Number" })];
    const end: WireEnd = { nodeId: "add_1", handleId: "a", handleType: "target", valueType: "float" };
    expect(handleOnNode(nodes[1], end, nodes, [], schemaOf).handle).toBe("output");
  });
});

describe("a wire dropped on the empty canvas", () => {
  it("offers new nodes with an input that takes it, on that input", () => {
    expect(fitForNew({ type: "functionNode", name: "add" }, from("n", "float"), schemaOf)).toEqual({ handle: "a" });
    expect(fitForNew({ type: "functionNode", name: "int_add" }, from("n", "float"), schemaOf)).toBeNull();
    expect(fitForNew({ type: "functionNode", name: "openai_chat_completion" }, from("m", "dict"), schemaOf)).toEqual({ handle: "messages" });
    expect(fitForNew({ type: "viewNode" }, from("n", "float"), schemaOf)).toEqual({ handle: "input" });
    expect(fitForNew({ type: "listNode" }, from("n", "float"), schemaOf)).toEqual({ handle: "input-0" });
    expect(fitForNew({ type: "variableNode" }, from("n", "float"), schemaOf)).toBeNull();
  });

  it("from an input, offers nodes whose output fits it, a Variable of the right type included", () => {
    const end: WireEnd = { nodeId: "add_1", handleId: "a", handleType: "target", valueType: "float" };
    expect(fitForNew({ type: "variableNode" }, end, schemaOf)).toEqual({ handle: "output", variableType: "Number" });
    expect(fitForNew({ type: "functionNode", name: "int_add" }, end, schemaOf)).toEqual({ handle: "output" });
    expect(fitForNew({ type: "functionNode", name: "split_name" }, end, schemaOf)).toBeNull();
    expect(fitForNew({ type: "viewNode" }, end, schemaOf)).toBeNull();
    const text: WireEnd = { ...end, valueType: "str" };
    expect(fitForNew({ type: "functionNode", name: "split_name" }, text, schemaOf)).toEqual({ handle: "first" });
  });
});
