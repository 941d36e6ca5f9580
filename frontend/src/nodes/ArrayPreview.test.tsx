import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { arrayShape } from "../lib/values";
import { ValueView } from "./ValueView";

describe("arrayShape", () => {
  it("is the shape of a rectangular array of numbers of two or more dimensions", () => {
    expect(arrayShape([[1, 2, 3], [4, 5, 6]])).toEqual([2, 3]);
    expect(arrayShape([[[0, 0, 255]], [[255, 0, 0]]])).toEqual([2, 1, 3]);
    expect(arrayShape([1, 2, 3])).toBeNull(); // a list stays a list
    expect(arrayShape([[1, 2], [3]])).toBeNull();
    expect(arrayShape([[1, "a"]])).toBeNull();
    expect(arrayShape([[]])).toBeNull();
    expect(arrayShape({ a: [[1]] })).toBeNull();
  });
});

describe("ValueView of an array", () => {
  it("shows its shape, kind and range, and a grid of its first rows and columns", () => {
    const rows = Array.from({ length: 10 }, (_, r) => Array.from({ length: 12 }, (_, c) => r * 12 + c + 0.5));
    render(<ValueView value={rows} className="x" testId="v" />);
    expect(screen.getByTestId("array-shape")).toHaveTextContent("array 10×12 · float · 0.5 … 119.5");
    const grid = screen.getByTestId("v").querySelectorAll("tr");
    expect(grid).toHaveLength(9); // 8 rows and "… 2 more rows"
    expect(grid[0].querySelectorAll("td")).toHaveLength(9); // 8 columns and "…"
    expect(grid[8]).toHaveTextContent("… 2 more rows");
  });

  it("shows a deeper array's last two dimensions at index 0 of the others", () => {
    render(<ValueView value={[[[1, 2, 3], [4, 5, 6]]]} className="x" testId="v" />);
    expect(screen.getByTestId("array-shape")).toHaveTextContent("array 1×2×3 · int · 1 … 6 · showing [0, :, :]");
    expect(screen.getByTestId("v").querySelectorAll("td")).toHaveLength(6);
  });
});
