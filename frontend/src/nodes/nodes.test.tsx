import { act, fireEvent, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import { defaultVariableData } from "../lib/factory";
import { listHandleCount, type PsyNode } from "../lib/model";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";
import { nodeSchema } from "../test/schemas";

const at = { x: 0, y: 0 };
const dataOf = (id: string) => useGraphStore.getState().nodes.find((n) => n.id === id)!.data;
const handles = (nodeId: string, kind: "source" | "target") =>
  Array.from(document.querySelectorAll(`.react-flow__handle.${kind}[data-nodeid="${nodeId}"]`)).map((h) => h.getAttribute("data-handleid"));

beforeEach(() => {
  resetStores(SCHEMAS);
  useRunStore.getState().clear();
});

describe("FunctionNode", () => {
  it("has an input per parameter without default and controls typed by schema", () => {
    renderFlow([{ id: "c1", type: "functionNode", position: at, data: { functionName: "configure", count: 3, flag: false, choice: "x" } }]);
    expect(handles("c1", "target")).toEqual(["text", "flag", "choice", "items"]);
    expect(handles("c1", "source")).toEqual(["output"]);
    expect(screen.getByTestId("param-c1-text")).toHaveAttribute("placeholder", "text");
    expect(screen.getByTestId("param-c1-flag")).toHaveAttribute("type", "checkbox");
    expect(screen.getByTestId("param-c1-choice").tagName).toBe("SELECT");
    // the parameter with a default lives in the collapsed properties section
    expect(screen.queryByTestId("param-c1-count")).toBeNull();
    fireEvent.click(screen.getByTestId("props-toggle-c1"));
    expect(screen.getByTestId("param-c1-count")).toHaveAttribute("type", "number");
  });

  it("limits a number input to its bounds and marks a value outside them", () => {
    resetStores([
      ...SCHEMAS,
      nodeSchema({
        name: "set_volume",
        params: [{ name: "level", type: "int", constraints: { minimum: 0, maximum: 100 } }],
        returns: [{ name: "result", type: "int" }],
      }),
    ]);
    renderFlow([{ id: "v1", type: "functionNode", position: at, data: { functionName: "set_volume", level: 50 } }]);
    const input = screen.getByTestId("param-v1-level");
    expect(input).toHaveAttribute("min", "0");
    expect(input).toHaveAttribute("max", "100");
    expect(input).not.toHaveClass("is-invalid");
    fireEvent.change(input, { target: { value: "150" } });
    expect(dataOf("v1").level).toBe(150);
    expect(screen.getByTestId("param-v1-level")).toHaveClass("is-invalid");
    expect(screen.getByTestId("param-v1-level")).toHaveAttribute("title", "must be at most 100");
  });

  it("edits go into node data through updateNodeData (and undo)", () => {
    renderFlow([{ id: "c1", type: "functionNode", position: at, data: { functionName: "configure", count: 3, flag: false, choice: "x" } }]);
    fireEvent.change(screen.getByTestId("param-c1-text"), { target: { value: "hi" } });
    fireEvent.click(screen.getByTestId("param-c1-flag"));
    fireEvent.change(screen.getByTestId("param-c1-choice"), { target: { value: "1" } });
    fireEvent.change(screen.getByTestId("param-c1-items"), { target: { value: "[1, 2]" } });
    fireEvent.click(screen.getByTestId("props-toggle-c1"));
    fireEvent.change(screen.getByTestId("param-c1-count"), { target: { value: "7" } });
    expect(dataOf("c1")).toMatchObject({ text: "hi", flag: true, choice: "y", items: [1, 2], count: 7 });
    act(() => useGraphStore.getState().undo());
    expect(dataOf("c1").count).toBe(3);
  });

  it("shows the docstring as tooltip and marks progress nodes", () => {
    renderFlow([{ id: "p1", type: "functionNode", position: at, data: { functionName: "CountWithProgress", count: 10, delay_ms: 100 } }]);
    const root = screen.getByTestId("node-p1");
    expect(root.querySelector(".psy-node__header")?.getAttribute("title")).toContain("Count with progress.");
    expect(within(root).getByText("progress")).toBeInTheDocument();
    expect(handles("p1", "target")).toEqual([]);
  });

  it("has one output handle per key for multi-output returns", () => {
    renderFlow([{ id: "s1", type: "functionNode", position: at, data: { functionName: "split_name" } }]);
    expect(handles("s1", "source")).toEqual(["first", "last"]);
  });

  it("hides the control of a connected input", () => {
    renderFlow(
      [
        { id: "v1", type: "variableNode", position: at, data: { ...defaultVariableData(), variableType: "Number", variableValue: "1" } },
        { id: "a1", type: "functionNode", position: { x: 300, y: 0 }, data: { functionName: "add" } },
      ],
      [{ id: "e", source: "v1", target: "a1", sourceHandle: "output", targetHandle: "a" }],
    );
    expect(screen.queryByTestId("param-a1-a")).toBeNull();
    expect(screen.getByTestId("param-a1-b")).toBeInTheDocument();
    expect(within(screen.getByTestId("node-a1")).getByText("connected")).toBeInTheDocument();
  });

  it("shows the live run status on the node", () => {
    renderFlow([{ id: "a1", type: "functionNode", position: at, data: { functionName: "add" } }]);
    expect(screen.getByTestId("node-a1")).toHaveAttribute("data-status", "idle");
    act(() => useRunStore.getState().apply([{ node_id: "a1", node_number: 1, node_name: "add", status: "executing" }]));
    expect(screen.getByTestId("node-a1")).toHaveAttribute("data-status", "executing");
    act(() => useRunStore.getState().apply([{ node_id: "a1", node_number: 1, node_name: "add", status: "error", error: "boom" }]));
    expect(screen.getByTestId("node-a1")).toHaveClass("psy-node--error");
  });
});

describe("VariableNode", () => {
  const variable = (patch = {}): PsyNode => ({ id: "v1", type: "variableNode", position: at, data: { ...defaultVariableData(), ...patch } });

  it("switches type and resets the value to that type's empty value", () => {
    renderFlow([variable()]);
    fireEvent.change(screen.getByTestId("variable-type"), { target: { value: "Number" } });
    expect(dataOf("v1")).toMatchObject({ variableType: "Number", variableValue: "0" });
    expect(screen.getByTestId("variable-value")).toHaveAttribute("type", "number");
    fireEvent.change(screen.getByTestId("variable-type"), { target: { value: "Boolean" } });
    expect(screen.getByTestId("variable-value")).toHaveAttribute("type", "checkbox");
  });

  it("validates JSON for lists and objects as it is typed, in words", () => {
    renderFlow([variable({ variableType: "List", variableValue: "[1, 2]" })]);
    expect(screen.queryByTestId("variable-json-error")).toBeNull();
    expect(screen.getByTestId("variable-json-ok")).toHaveTextContent("✓ 2 items");
    fireEvent.change(screen.getByTestId("variable-value"), { target: { value: "[1, 2" } });
    expect(screen.getByTestId("variable-json-error")).toHaveTextContent("Line 1, column 1: the text ends inside a list: a closing ] is missing");
    fireEvent.change(screen.getByTestId("variable-value"), { target: { value: '{"a": 1}' } });
    expect(screen.getByTestId("variable-json-error")).toHaveTextContent("A List variable holds a list in [ ]");
    fireEvent.change(screen.getByTestId("variable-value"), { target: { value: '[{"a":1}]' } });
    fireEvent.click(screen.getByTestId("json-format"));
    expect(dataOf("v1").variableValue).toBe('[\n  {\n    "a": 1\n  }\n]');
  });

  it("starts an Object empty, with an example as the placeholder, so typing makes the object", () => {
    renderFlow([variable()]);
    fireEvent.change(screen.getByTestId("variable-type"), { target: { value: "Object" } });
    const field = screen.getByTestId("variable-value");
    expect(field).toHaveValue("");
    expect(field).toHaveAttribute("placeholder", '{"key": "value"}');
    fireEvent.change(field, { target: { value: '{"a": 1}' } });
    expect(dataOf("v1").variableValue).toBe('{"a": 1}');
    expect(screen.queryByTestId("variable-json-error")).toBeNull();
  });

  it("offers LLM formats to text and images only, and drops them when the type changes", () => {
    renderFlow([variable({ llmMessageFormat: true, textContentFormat: true })]);
    expect(screen.getByTestId("variable-llm")).toBeChecked();
    fireEvent.change(screen.getByTestId("variable-type"), { target: { value: "Number" } });
    expect(screen.queryByTestId("variable-llm")).toBeNull();
    expect(screen.queryByTestId("variable-text-content")).toBeNull();
    expect(dataOf("v1")).toMatchObject({ variableType: "Number", llmMessageFormat: false, textContentFormat: false });
    expect(screen.getByTestId("variable-output-type")).toHaveTextContent("float");
    fireEvent.change(screen.getByTestId("variable-type"), { target: { value: "Image" } });
    expect(screen.getByTestId("variable-llm")).toBeInTheDocument();
    expect(screen.queryByTestId("variable-text-content")).toBeNull();
    expect(screen.getByTestId("variable-output-type")).toHaveTextContent("image");
  });

  it("offers the LLM role only with the message format on", () => {
    renderFlow([variable()]);
    expect(screen.queryByTestId("variable-role")).toBeNull();
    fireEvent.click(screen.getByTestId("variable-llm"));
    fireEvent.change(screen.getByTestId("variable-role"), { target: { value: "system" } });
    expect(dataOf("v1")).toMatchObject({ llmMessageFormat: true, llmMessageRole: "system" });
  });

  it("previews an image and offers the image content format", () => {
    renderFlow([variable({ variableType: "Image", variableValue: "data:image/png;base64,iVBORw0KGgo=" })]);
    expect(screen.getByTestId("variable-image-preview")).toHaveAttribute("src", expect.stringMatching(/^data:image\/png/));
    expect(screen.getByTestId("variable-image-content")).toBeInTheDocument();
    expect(screen.queryByTestId("variable-text-content")).toBeNull();
  });
});

describe("ListNode", () => {
  it("always offers one free input after the last connected one", () => {
    expect(listHandleCount([])).toBe(1);
    expect(listHandleCount(["input-0"])).toBe(2);
    expect(listHandleCount(["input-0", "input-3"])).toBe(5);
  });

  it("shows how many inputs are connected", () => {
    const v = (id: string): PsyNode => ({ id, type: "variableNode", position: at, data: defaultVariableData() });
    renderFlow(
      [v("a"), v("b"), { id: "l1", type: "listNode", position: { x: 300, y: 0 }, data: {} }],
      [
        { id: "e0", source: "a", target: "l1", sourceHandle: "output", targetHandle: "input-0" },
        { id: "e1", source: "b", target: "l1", sourceHandle: "output", targetHandle: "input-1" },
      ],
    );
    expect(handles("l1", "target")).toEqual(["input-0", "input-1", "input-2"]);
    expect(screen.getByTestId("list-count")).toHaveTextContent("2 connected");
  });
});

describe("ViewNode", () => {
  const view: PsyNode = { id: "w1", type: "viewNode", position: at, data: {} };

  it("waits for a run, then pretty-prints JSON", () => {
    renderFlow([view]);
    expect(screen.getByTestId("view-value")).toHaveAttribute("data-empty", "true");
    act(() => useRunStore.getState().apply([{ status: "done", results: { w1: { a: [1, 2] } } }]));
    expect(screen.getByTestId("view-value").textContent).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
  });

  it("renders data URLs of images as images and text as text", () => {
    renderFlow([view]);
    act(() => useRunStore.getState().apply([{ status: "done", results: { w1: "data:image/png;base64,AAAA" } }]));
    expect(screen.getByTestId("view-value").querySelector("img")).toHaveAttribute("src", "data:image/png;base64,AAAA");
    act(() => useRunStore.getState().apply([{ status: "done", results: { w1: "plain text" } }]));
    expect(screen.getByTestId("view-value")).toHaveTextContent("plain text");
    expect(handles("w1", "target")).toEqual(["input"]);
  });
});
