// Why a List or Object variable's text is not the JSON it should be, in words a
// person can act on: where (line and column) and what to do, rather than the
// browser's "Unexpected non-whitespace character after JSON at position 2".

export type JsonKind = "List" | "Object";

/** What the scanner found wrong, and where (an offset into the text). */
class JsonProblem extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message);
  }
}

class Scanner {
  at = 0;
  constructor(readonly text: string) {}

  space(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at])) this.at++;
  }

  fail(message: string, at = this.at): never {
    throw new JsonProblem(at, message);
  }

  value(): void {
    this.space();
    const ch = this.text[this.at];
    if (ch === undefined) this.fail("the text ends where a value should be");
    if (ch === "{") return this.object();
    if (ch === "[") return this.array();
    if (ch === '"') return this.string();
    if (ch === "'") this.fail("text goes in double quotes (\"like this\"), not single quotes");
    if (/[-0-9]/.test(ch)) return this.number();
    const word = /^[A-Za-z_]\w*/.exec(this.text.slice(this.at))?.[0];
    if (word === "true" || word === "false" || word === "null") {
      this.at += word.length;
      return;
    }
    if (word === "True" || word === "False" || word === "None") {
      this.fail(`JSON writes ${word} as ${{ True: "true", False: "false", None: "null" }[word]}`);
    }
    if (word) this.fail(`${word} is not a JSON value: text needs double quotes ("${word}")`);
    this.fail(`'${ch}' cannot start a value`);
  }

  /** Past an opening bracket: true when `close` follows at once (and is passed). */
  empty(close: string): boolean {
    this.at++;
    this.space();
    if (this.text[this.at] !== close) return false;
    this.at++;
    return true;
  }

  /** After an entry: true when a comma says another follows, false when `close` ended the container. */
  more(close: string, unclosed: string, open: number, missingComma: string): boolean {
    this.space();
    const next = this.text[this.at];
    if (next === "," || next === close) {
      this.at++;
      return next === ",";
    }
    if (next === undefined) this.fail(unclosed, open);
    this.fail(missingComma);
  }

  object(): void {
    const open = this.at;
    if (this.empty("}")) return;
    do {
      this.space();
      const ch = this.text[this.at];
      if (ch === undefined) this.fail("the text ends inside an object: a closing } is missing", open);
      if (ch === "}") this.fail("there is a comma before } with nothing after it: remove the comma");
      if (ch === "'") this.fail("keys go in double quotes (\"key\"), not single quotes");
      if (ch !== '"') this.fail('each key needs double quotes, like "name": value');
      this.string();
      this.space();
      if (this.text[this.at] !== ":") this.fail("a key needs a colon after it, like \"name\": value");
      this.at++;
      this.value();
    } while (this.more("}", "the text ends inside an object: a closing } is missing", open, "two entries need a comma between them"));
  }

  array(): void {
    const open = this.at;
    if (this.empty("]")) return;
    do {
      this.space();
      if (this.text[this.at] === "]") this.fail("there is a comma before ] with nothing after it: remove the comma");
      if (this.text[this.at] === undefined) this.fail("the text ends inside a list: a closing ] is missing", open);
      this.value();
    } while (this.more("]", "the text ends inside a list: a closing ] is missing", open, "two items need a comma between them"));
  }

  string(): void {
    const open = this.at++;
    while (this.at < this.text.length) {
      const ch = this.text[this.at];
      if (ch === "\\") this.at += 2;
      else if (ch === '"') {
        this.at++;
        return;
      } else if (ch === "\n") this.fail("a text runs past the end of its line: a closing \" is missing", open);
      else this.at++;
    }
    this.fail('the text ends inside a quoted text: a closing " is missing', open);
  }

  number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(this.text.slice(this.at));
    if (!match) this.fail("this is not a number JSON can read");
    this.at += match[0].length;
  }
}

function where(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  return `Line ${line}, column ${column}`;
}

const EXAMPLE: Record<JsonKind, string> = { List: "[1, 2, 3]", Object: '{"key": "value"}' };

/** What is wrong with `text` as the value of a `kind` variable, or null when nothing is (empty is fine). */
export function jsonProblem(kind: JsonKind, text: string): string | null {
  if (!text.trim()) return null;
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    if (scanner.at < text.length) {
      const after = text.trimStart()[0] === "{" ? "the object's closing }" : text.trimStart()[0] === "[" ? "the list's closing ]" : "the value";
      scanner.fail(`there is more text after ${after}: one ${kind === "List" ? "list" : "object"} holds everything, e.g. ${EXAMPLE[kind]}`);
    }
  } catch (problem) {
    if (!(problem instanceof JsonProblem)) throw problem;
    return `${where(text, problem.at)}: ${problem.message}`;
  }
  const parsed: unknown = JSON.parse(text);
  if (kind === "List" && !Array.isArray(parsed)) return `A List variable holds a list in [ ], e.g. ${EXAMPLE.List}`;
  if (kind === "Object" && (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))) {
    return `An Object variable holds an object in { }, e.g. ${EXAMPLE.Object}`;
  }
  return null;
}

/** The text pretty-printed (two spaces), or null when it is not valid JSON. */
export function formatJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}
