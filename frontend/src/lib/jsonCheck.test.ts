import { describe, expect, it } from "vitest";
import { formatJson, jsonProblem } from "./jsonCheck";

describe("JSON problems in words", () => {
  it.each([
    ["Object", '{}{"a": 1', 'Line 1, column 3: there is more text after the object\'s closing }: one object holds everything, e.g. {"key": "value"}'],
    ["Object", "{a: 1}", 'Line 1, column 2: each key needs double quotes, like "name": value'],
    ["Object", "{'a': 1}", 'Line 1, column 2: keys go in double quotes ("key"), not single quotes'],
    ["Object", '{"a": 1,}', "Line 1, column 9: there is a comma before } with nothing after it: remove the comma"],
    ["Object", '{"a" 1}', 'Line 1, column 6: a key needs a colon after it, like "name": value'],
    ["Object", '{"a": 1', "Line 1, column 1: the text ends inside an object: a closing } is missing"],
    ["List", "[1 2]", "Line 1, column 4: two items need a comma between them"],
    ["List", "[1, True]", "Line 1, column 5: JSON writes True as true"],
    ["List", "[1,\n 'x']", 'Line 2, column 2: text goes in double quotes ("like this"), not single quotes'],
    ["List", "[hello]", 'Line 1, column 2: hello is not a JSON value: text needs double quotes ("hello")'],
    ["List", '{"a": 1}', "A List variable holds a list in [ ], e.g. [1, 2, 3]"],
    ["Object", "[1]", 'An Object variable holds an object in { }, e.g. {"key": "value"}'],
  ] as const)("%s %j", (kind, text, message) => {
    expect(jsonProblem(kind, text)).toBe(message);
  });

  it("accepts valid values and empty text", () => {
    expect(jsonProblem("Object", '{"a": [1, {"b": null}], "c": "x\\"y"}')).toBeNull();
    expect(jsonProblem("List", " [1, -2.5e3, true, false, null, \"s\"] ")).toBeNull();
    expect(jsonProblem("List", "")).toBeNull();
    expect(jsonProblem("List", "[]")).toBeNull();
  });

  it("pretty-prints valid JSON only", () => {
    expect(formatJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(formatJson("{a}")).toBeNull();
  });
});
