// New nodes: ids the backend accepts, default data per kind.
import type { XYPosition } from "@xyflow/react";
import type { NodeSchema } from "../api/types";
import { LOOP_MAX_ITERATIONS, MAP_CONCURRENCY, type DragPayload, type PsyNode, type VariableData, type VariableNodeType, type VariableType } from "./model";
import { formatsOf } from "./typecheck";

/** `add_3`, `variable_1`: letters, digits, `_` and `-` only (the backend's id rule). */
export function newNodeId(prefix: string, taken: Set<string> | ((id: string) => boolean)): string {
  const used = typeof taken === "function" ? taken : (id: string) => taken.has(id);
  const clean = prefix.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "") || "node";
  for (let n = 1; ; n++) {
    const id = `${clean}_${n}`;
    if (!used(id)) return id;
  }
}

export function functionDefaults(schema: NodeSchema): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const param of schema.params) {
    if (param.default !== undefined) data[param.name] = param.default;
    else if (param.type === "bool") data[param.name] = false;
    else if (param.type === "Literal" && param.literal_values?.length) data[param.name] = param.literal_values[0];
  }
  return data;
}

export function defaultVariableData(): VariableData {
  return {
    variableType: "String",
    variableValue: "",
    llmMessageFormat: false,
    llmMessageRole: "user",
    textContentFormat: false,
    imageContentFormat: false,
    variableName: "",
  };
}

export function createNode(
  payload: DragPayload,
  position: XYPosition,
  taken: Set<string>,
  schemaOf: (name: string) => NodeSchema | undefined,
): PsyNode | null {
  switch (payload.type) {
    case "variableNode":
      return { id: newNodeId("variable", taken), type: "variableNode", position, data: defaultVariableData() };
    case "listNode":
      return { id: newNodeId("list", taken), type: "listNode", position, data: {} };
    case "viewNode":
      return { id: newNodeId("view", taken), type: "viewNode", position, data: {} };
    case "ifNode":
      return { id: newNodeId("if", taken), type: "ifNode", position, data: {} };
    case "switchNode":
      return { id: newNodeId("switch", taken), type: "switchNode", position, data: { cases: [] } };
    case "subgraphNode":
      return { id: newNodeId("subgraph", taken), type: "subgraphNode", position, data: { workflow: payload.workflow ?? "" } };
    case "mapNode":
      return {
        id: newNodeId("map", taken),
        type: "mapNode",
        position,
        data: { workflow: payload.workflow ?? "", itemInput: "", concurrency: MAP_CONCURRENCY, continueOnError: false },
      };
    case "loopNode":
      return {
        id: newNodeId("loop", taken),
        type: "loopNode",
        position,
        data: { workflow: payload.workflow ?? "", whileOutput: "", maxIterations: LOOP_MAX_ITERATIONS },
      };
    case "functionNode": {
      const schema = payload.name ? schemaOf(payload.name) : undefined;
      if (!schema) return null;
      return {
        id: newNodeId(schema.name, taken),
        type: "functionNode",
        position,
        data: { functionName: schema.name, ...functionDefaults(schema) },
      };
    }
  }
}

// A new type starts empty: List and Object show an example as a placeholder, so
// typing never lands after a "{}" already there.
const EMPTY: Record<VariableType, unknown> = {
  String: "",
  Number: "0",
  Boolean: false,
  List: "",
  Object: "",
  Image: "",
};

/** The data of a variable switched to `next`: its empty value, and only the formats that type offers. */
export function switchType(data: VariableNodeType["data"], next: VariableType): Record<string, unknown> {
  const formats = formatsOf(next);
  return {
    variableType: next,
    variableValue: EMPTY[next],
    llmMessageFormat: formats.llm ? !!data.llmMessageFormat : false,
    textContentFormat: formats.text ? !!data.textContentFormat : false,
    imageContentFormat: formats.image ? !!data.imageContentFormat : false,
  };
}
