import { fireEvent, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { JsonSchema } from "../lib/jsonSchema";
import { useGraphStore } from "../store/graphStore";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";
import { nodeSchema } from "../test/schemas";

// As pydantic writes them for tests/packs/testpack/ops.py's Canvas, Shade and an image.
const SHADE: JsonSchema = { title: "Shade", type: "string", enum: ["light", "dark"] };
const CANVAS: JsonSchema = {
  $defs: {
    Shade: SHADE,
    Size: {
      title: "Size",
      type: "object",
      properties: { width: { title: "Width", type: "integer", minimum: 1, maximum: 4096 }, height: { title: "Height", type: "integer", default: 512 } },
      required: ["width"],
    },
  },
  title: "Canvas",
  type: "object",
  properties: {
    title: { title: "Title", type: "string" },
    size: { $ref: "#/$defs/Size" },
    shade: { $ref: "#/$defs/Shade", default: "light" },
    opacity: { title: "Opacity", type: "number", minimum: 0, maximum: 1, default: 1 },
    tags: { title: "Tags", type: "array", items: { type: "string" }, default: [] },
  },
  required: ["title", "size"],
};

const at = { x: 0, y: 0 };
const dataOf = (id: string) => useGraphStore.getState().nodes.find((n) => n.id === id)!.data;

beforeEach(() => {
  resetStores([
    ...SCHEMAS,
    nodeSchema({ name: "describe_canvas", params: [{ name: "canvas", type: "Canvas", json_schema: CANVAS }], returns: [{ name: "result", type: "str" }] }),
    nodeSchema({ name: "shade_name", params: [{ name: "shade", type: "Shade", json_schema: SHADE }], returns: [{ name: "result", type: "str" }] }),
    nodeSchema({
      name: "image_size",
      params: [{ name: "image", type: "Image", json_schema: { type: "string", contentMediaType: "image/png", "x-psynapse": "image" } }],
      returns: [{ name: "result", type: "str" }],
    }),
  ]);
});

describe("SchemaForm", () => {
  it("draws a dataclass as a form: nested fields, enums as selects, bounded numbers as sliders", () => {
    renderFlow([{ id: "d1", type: "functionNode", position: at, data: { functionName: "describe_canvas" } }]);
    expect(screen.getByTestId("param-d1-canvas").tagName).toBe("FIELDSET");
    expect(screen.getByTestId("param-d1-canvas.size").tagName).toBe("FIELDSET");
    expect(screen.getByTestId("param-d1-canvas.shade").tagName).toBe("SELECT");
    expect(screen.getByTestId("param-d1-canvas.size.width-slider")).toHaveAttribute("type", "range");
    expect(screen.getByTestId("param-d1-canvas.size.width-slider")).toHaveAttribute("max", "4096");
    expect(screen.getByTestId("param-d1-canvas.size.height")).toHaveAttribute("placeholder", "512");
    expect(screen.queryByTestId("param-d1-canvas.size.height-slider")).toBeNull(); // no bounds, no slider
    expect(screen.getByTestId("param-d1-canvas.opacity-slider")).toHaveAttribute("step", "0.01");

    fireEvent.change(screen.getByTestId("param-d1-canvas.title"), { target: { value: "poster" } });
    fireEvent.change(screen.getByTestId("param-d1-canvas.size.width"), { target: { value: "300" } });
    fireEvent.change(screen.getByTestId("param-d1-canvas.shade"), { target: { value: "1" } });
    fireEvent.change(screen.getByTestId("param-d1-canvas.opacity-slider"), { target: { value: "0.5" } });
    fireEvent.change(screen.getByTestId("param-d1-canvas.tags"), { target: { value: '["a"]' } });
    expect(dataOf("d1").canvas).toEqual({ title: "poster", size: { width: 300 }, shade: "dark", opacity: 0.5, tags: ["a"] });

    // A field emptied is left out, so its default applies.
    fireEvent.change(screen.getByTestId("param-d1-canvas.shade"), { target: { value: "" } });
    expect(dataOf("d1").canvas).toEqual({ title: "poster", size: { width: 300 }, opacity: 0.5, tags: ["a"] });

    // A nested form emptied is left out too, and so is the whole value.
    fireEvent.change(screen.getByTestId("param-d1-canvas.size.width"), { target: { value: "" } });
    expect(dataOf("d1").canvas).toEqual({ title: "poster", opacity: 0.5, tags: ["a"] });
    fireEvent.change(screen.getByTestId("param-d1-canvas.title"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("param-d1-canvas.tags"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("param-d1-canvas.opacity"), { target: { value: "" } });
    expect(dataOf("d1").canvas).toBeUndefined();
  });

  it("marks a number outside its bounds", () => {
    renderFlow([{ id: "d1", type: "functionNode", position: at, data: { functionName: "describe_canvas", canvas: { size: { width: 5000 } } } }]);
    const width = screen.getByTestId("param-d1-canvas.size.width");
    expect(width).toHaveClass("is-invalid");
    expect(width).toHaveAttribute("title", "must be at most 4096");
    fireEvent.change(width, { target: { value: "64" } });
    expect(screen.getByTestId("param-d1-canvas.size.width")).not.toHaveClass("is-invalid");
    expect(screen.getByTestId("param-d1-canvas.size.width-slider")).toHaveValue("64");
  });

  it("draws an Enum parameter as a select of its values", () => {
    renderFlow([{ id: "s1", type: "functionNode", position: at, data: { functionName: "shade_name" } }]);
    const select = screen.getByTestId("param-s1-shade");
    expect(select.tagName).toBe("SELECT");
    expect(Array.from(select.querySelectorAll("option")).map((o) => o.textContent)).toEqual(["choose…", "light", "dark"]);
    fireEvent.change(select, { target: { value: "0" } });
    expect(dataOf("s1").shade).toBe("light");
  });

  it("draws an Optional Literal (which has no literal_values) as a select of its values", () => {
    resetStores([
      nodeSchema({
        name: "pick",
        params: [{ name: "mode", type: "Optional[Literal]", default: null, json_schema: { anyOf: [{ enum: ["a", "b"], type: "string" }, { type: "null" }] } }],
        returns: [{ name: "result", type: "str" }],
      }),
    ]);
    renderFlow([{ id: "p1", type: "functionNode", position: at, data: { functionName: "pick" } }]);
    fireEvent.click(screen.getByTestId("props-toggle-p1"));
    const select = screen.getByTestId("param-p1-mode");
    expect(Array.from(select.querySelectorAll("option")).map((o) => o.textContent)).toEqual(["choose…", "a", "b"]);
    fireEvent.change(select, { target: { value: "1" } });
    expect(dataOf("p1").mode).toBe("b");
  });

  it("gives an image parameter an upload with a preview", () => {
    const url = "data:image/png;base64,iVBORw0KGgo=";
    renderFlow([{ id: "i1", type: "functionNode", position: at, data: { functionName: "image_size", image: url } }]);
    expect(screen.getByTestId("param-i1-image-input")).toHaveAttribute("type", "file");
    expect(screen.getByTestId("param-i1-image-preview")).toHaveAttribute("src", url);
    fireEvent.click(screen.getByText("Clear"));
    expect(dataOf("i1").image).toBe("");
    expect(screen.queryByTestId("param-i1-image-preview")).toBeNull();
  });
});
