import { act, render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { PsyNode } from "../lib/model";
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

beforeEach(() => {
  resetStores(SCHEMAS);
  useRunStore.getState().clear();
});

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
