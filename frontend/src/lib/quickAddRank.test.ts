import { describe, expect, it } from "vitest";
import { BUILTIN_ITEMS, schemaItem } from "../panels/libraryItems";
import { SCHEMAS } from "../test/renderFlow";
import { matchScore, rankItems } from "./quickAddRank";

const item = (name: string, description = "") => ({ name, description });

describe("quick-add ranking", () => {
  it("puts the exact name first: 'list' is List, not Variable (whose description says list)", () => {
    const items = [...BUILTIN_ITEMS, item("list_length", "Number of items in a list"), item("to_list", "Wrap a value in a list")];
    expect(rankItems(items, "list").map((i) => i.name)).toEqual(["List", "list_length", "to_list", "Variable"]);
    expect(rankItems(items, "LIST")[0].name).toBe("List");
  });

  it("ranks prefix, then word start, then anywhere in the name, then the description", () => {
    const items = [item("subtract", "Subtract b from a"), item("add", "Add two numbers"), item("int_add"), item("padding"), item("adder_tool"), item("x", "add it")];
    expect(rankItems(items, "add").map((i) => i.name)).toEqual(["add", "adder_tool", "int_add", "padding", "x"]);
    expect(matchScore(item("CountWithProgress"), "progress")).toBe(2);
    expect(matchScore(item("CountWithProgress"), "zzz")).toBeNull();
  });

  it("keeps the library's order when nothing is typed", () => {
    const items = [...BUILTIN_ITEMS, ...SCHEMAS.map(schemaItem)];
    expect(rankItems(items, "  ").map((i) => i.name)).toEqual(items.map((i) => i.name));
  });
});
