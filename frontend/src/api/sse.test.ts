import { describe, expect, it } from "vitest";
import { readSse, SseParser } from "./sse";

function feedAll(parser: SseParser, chunks: string[]) {
  return chunks.flatMap((chunk) => parser.feed(chunk));
}

describe("SseParser", () => {
  it("parses data and id lines of one event", () => {
    const out = new SseParser().feed('id: 1\ndata: {"a":1}\n\n');
    expect(out).toEqual([{ event: "message", data: '{"a":1}', id: "1" }]);
  });

  it("joins events split across reads at any byte", () => {
    const text = 'id: 7\ndata: {"node_id":"n1","status":"executing"}\n\nid: 8\ndata: {"status":"done"}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      const out = feedAll(new SseParser(), [text.slice(0, cut), text.slice(cut)]);
      expect(out.map((m) => m.data)).toEqual(['{"node_id":"n1","status":"executing"}', '{"status":"done"}']);
      expect(out.map((m) => m.id)).toEqual(["7", "8"]);
    }
  });

  it("feeds one character at a time", () => {
    const text = "data: one\n\ndata: two\n\n";
    const out = feedAll(new SseParser(), text.split(""));
    expect(out.map((m) => m.data)).toEqual(["one", "two"]);
  });

  it("joins multi-line data with newlines", () => {
    const out = new SseParser().feed("data: first\ndata: second\ndata:third\n\n");
    expect(out[0].data).toBe("first\nsecond\nthird");
  });

  it("keeps the last id for reconnects, also across events without id", () => {
    const parser = new SseParser();
    const out = parser.feed("id: 41\ndata: a\n\ndata: b\n\n");
    expect(out.map((m) => m.id)).toEqual(["41", "41"]);
    expect(parser.lastEventId).toBe("41");
    parser.feed("id: 42\n\n"); // an id-only block updates the id, dispatches nothing
    expect(parser.lastEventId).toBe("42");
  });

  it("ignores comments and keep-alive pings", () => {
    const out = new SseParser().feed(": ping\n\n:another comment\ndata: real\n\n: ping\n\n");
    expect(out).toHaveLength(1);
    expect(out[0].data).toBe("real");
  });

  it("accepts CRLF and CR line ends, also split between reads", () => {
    expect(new SseParser().feed("id: 3\r\ndata: crlf\r\n\r\n")).toEqual([{ event: "message", data: "crlf", id: "3" }]);
    expect(new SseParser().feed("data: cr\r\r")[0].data).toBe("cr");
    const split = feedAll(new SseParser(), ["data: x\r", "\n\r", "\ndata: y\r\n\r\n"]);
    expect(split.map((m) => m.data)).toEqual(["x", "y"]);
  });

  it("reads event and retry fields, and ignores unknown fields", () => {
    const out = new SseParser().feed("event: catalog\nretry: 3000\nfoo: bar\ndata: {}\n\n");
    expect(out[0]).toMatchObject({ event: "catalog", data: "{}", retry: 3000 });
  });

  it("removes only one space after the colon and handles fields without colon", () => {
    const out = new SseParser().feed("data:  two spaces\ndata\n\n");
    expect(out[0].data).toBe(" two spaces\n");
  });

  it("skips a leading byte-order mark", () => {
    expect(new SseParser().feed("\ufeffdata: x\n\n")[0].data).toBe("x");
  });

  it("drops an unterminated last event at end of stream", () => {
    const parser = new SseParser();
    expect(parser.feed("data: complete\n\ndata: partial")).toHaveLength(1);
    parser.end();
    expect(parser.feed("\n\n")).toHaveLength(0);
  });
});

describe("readSse", () => {
  it("reads a byte stream with multi-byte characters split across chunks", async () => {
    const bytes = new TextEncoder().encode('id: 1\ndata: {"text":"héllo ✓"}\n\n: ping\n\nid: 2\ndata: end\n\n');
    const chunks = [bytes.slice(0, 20), bytes.slice(20, 23), bytes.slice(23)];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        chunks.forEach((c) => controller.enqueue(c));
        controller.close();
      },
    });
    const seen: string[] = [];
    const parser = await readSse(body, (messages) => seen.push(...messages.map((m) => m.data)));
    expect(seen).toEqual(['{"text":"héllo ✓"}', "end"]);
    expect(parser.lastEventId).toBe("2");
  });
});
