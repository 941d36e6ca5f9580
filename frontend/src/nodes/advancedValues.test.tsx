import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isFileRef } from "../api/files";
import type { PsyNode } from "../lib/model";
import { useGraphStore } from "../store/graphStore";
import { json, mockFetch } from "../test/fetchRoutes";
import { nodeSchema } from "../test/schemas";
import { isTablePreview, tableSummary, type TablePreview } from "../lib/values";
import { useRunStore } from "../store/runStore";
import { renderFlow, resetStores, SCHEMAS } from "../test/renderFlow";
import { ValueView } from "./ValueView";

const at = { x: 0, y: 0 };

const TABLE: TablePreview = {
  kind: "dataframe",
  shape: [40000, 3],
  columns: ["count", "ratio", "name"],
  dtypes: ["int32", "float32", "str"],
  index_name: "key",
  index: ["r0", "r1"],
  rows: [
    [0, 0.5, "a"],
    [1, null, "b"],
  ],
};

const READ_FILE = nodeSchema({ name: "read_file", params: [{ name: "path", type: "Path" }], returns: [{ name: "result", type: "dict" }] });
const REF = { psynapse_file: "a".repeat(64), name: "sales.csv", size: 2048 };
const dataOf = (id: string) => useGraphStore.getState().nodes.find((n) => n.id === id)!.data;

beforeEach(() => {
  resetStores([...SCHEMAS, READ_FILE]);
  useRunStore.getState().clear();
});

afterEach(() => vi.unstubAllGlobals());

describe("DataFrame previews", () => {
  it("knows a preview from other objects", () => {
    expect(isTablePreview(TABLE)).toBe(true);
    expect(isTablePreview({ kind: "dataframe" })).toBe(false);
    expect(isTablePreview({ ...TABLE, kind: "other" })).toBe(false);
    expect(isTablePreview([TABLE])).toBe(false);
    expect(tableSummary(TABLE)).toBe("DataFrame · 40,000 rows × 3 columns (showing first 2 rows)");
    expect(tableSummary({ ...TABLE, shape: [1, 1], columns: ["a"], rows: [[1]] })).toBe("DataFrame · 1 row × 1 column");
  });

  it("a view shows a table: columns with dtypes, index labels and cells", () => {
    const view: PsyNode = { id: "w1", type: "viewNode", position: at, data: {} };
    renderFlow([view]);
    act(() => useRunStore.getState().apply([{ status: "done", results: { w1: TABLE } }]));
    const shown = screen.getByTestId("view-value");
    expect(shown).toHaveAttribute("data-table", "true");
    expect(within(shown).getByTestId("table-summary")).toHaveTextContent("40,000 rows × 3 columns");
    const headers = Array.from(shown.querySelectorAll("thead th")).map((cell) => cell.textContent);
    expect(headers).toEqual(["key", "countint32", "ratiofloat32", "namestr"]);
    const rows = Array.from(shown.querySelectorAll("tbody tr"));
    expect(rows.map((row) => Array.from(row.children).map((cell) => cell.textContent))).toEqual([
      ["r0", "0", "0.5", "a"],
      ["r1", "1", "null", "b"],
    ]);
  });

  it("history and status cards show it the same way (ValueView)", () => {
    render(<ValueView value={TABLE} className="psy-card__code" testId="card-value" />);
    expect(screen.getByTestId("card-value").querySelectorAll("tbody tr")).toHaveLength(2);
  });
});

describe("Path inputs", () => {
  const reader: PsyNode = { id: "r1", type: "functionNode", position: at, data: { functionName: "read_file" } };

  it("upload the chosen file and keep its reference as the input's value", async () => {
    const { calls } = mockFetch({ "POST /files": () => json(REF, 201) });
    renderFlow([reader]);
    expect(screen.getByTestId("param-r1-path-name")).toHaveTextContent("No file");
    const file = new File(["a,b\n1,2\n"], "sales.csv", { type: "text/csv" });
    fireEvent.change(screen.getByTestId("param-r1-path-input"), { target: { files: [file] } });
    await waitFor(() => expect(dataOf("r1").path).toEqual(REF));
    expect(calls).toHaveLength(1);
    const sent = vi.mocked(fetch).mock.calls[0][1]?.body;
    expect(sent).toBeInstanceOf(FormData);
    expect((sent as FormData).get("file")).toHaveProperty("name", "sales.csv");
    expect(screen.getByTestId("param-r1-path-name")).toHaveTextContent("sales.csv · 2.0 KB");
    fireEvent.click(screen.getByText("Clear"));
    expect(dataOf("r1").path).toBe("");
  });

  it("say why an upload failed and keep the value", async () => {
    mockFetch({ "POST /files": json({ status_code: 413, detail: "The body is larger than PSYNAPSE_MAX_BODY_BYTES" }, 413) });
    renderFlow([{ ...reader, data: { functionName: "read_file", path: REF } }]);
    expect(screen.getByTestId("param-r1-path-name")).toHaveTextContent("sales.csv");
    fireEvent.change(screen.getByTestId("param-r1-path-input"), { target: { files: [new File(["x"], "big.bin")] } });
    await waitFor(() => expect(screen.getByTestId("param-r1-path")).toHaveTextContent("Upload failed: The body is larger than PSYNAPSE_MAX_BODY_BYTES"));
    expect(dataOf("r1").path).toEqual(REF);
  });

  it("know a reference from other objects", () => {
    expect(isFileRef(REF)).toBe(true);
    expect(isFileRef({ ...REF, extra: 1 })).toBe(false);
    expect(isFileRef("sales.csv")).toBe(false);
  });
});
