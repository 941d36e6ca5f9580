// A Server-Sent Events parser following the WHATWG rules
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
// lines end in CRLF, LF or CR (also split across reads), `data:` lines join
// with "\n", `id:` is remembered for reconnects, comments (`: ping`) are skipped.

export interface SseMessage {
  /** The `event:` field, "message" when absent. */
  event: string;
  data: string;
  /** The last `id:` seen so far in the stream (kept across messages). */
  id: string;
  retry?: number;
}

export class SseParser {
  private buffer = "";
  private pendingCR = false;
  private started = false;
  private data: string[] = [];
  private eventType = "";
  private retry: number | undefined;
  /** The last event id, as a reconnecting client sends it in `Last-Event-ID`. */
  lastEventId = "";

  /** Feed decoded text; returns the messages completed by it. */
  feed(chunk: string): SseMessage[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCR) {
      // "\r" ended the previous read; a "\n" now belongs to the same line end.
      if (text.startsWith("\n")) text = text.slice(1);
      this.pendingCR = false;
    }
    const out: SseMessage[] = [];
    let start = 0;
    const all = this.buffer + text;
    const offset = this.buffer.length;
    this.buffer = "";
    for (let i = offset; i < all.length; i++) {
      const ch = all.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      this.processLine(all.slice(start, i), out);
      if (ch === 13) {
        if (i + 1 === all.length) this.pendingCR = true;
        else if (all.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    // Lines before `offset` were incomplete before; they are rescanned above
    // only from `offset`, which is fine because they contain no line ends.
    this.buffer = all.slice(start);
    return out;
  }

  /** End of stream: an unterminated last message is discarded, per the spec. */
  end(): void {
    this.buffer = "";
    this.data = [];
    this.eventType = "";
  }

  private processLine(line: string, out: SseMessage[]): void {
    if (line === "") {
      this.dispatch(out);
      return;
    }
    if (line.startsWith(":")) return; // comment / keep-alive ping
    const colon = line.indexOf(":");
    let field = line;
    let value = "";
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
    }
    switch (field) {
      case "data":
        this.data.push(value);
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(out: SseMessage[]): void {
    if (this.data.length === 0) {
      this.eventType = "";
      return;
    }
    const message: SseMessage = {
      event: this.eventType || "message",
      data: this.data.join("\n"),
      id: this.lastEventId,
    };
    if (this.retry !== undefined) message.retry = this.retry;
    out.push(message);
    this.data = [];
    this.eventType = "";
  }
}

/**
 * Read an SSE response body to its end, calling `onMessages` with the messages
 * of each read (one call per network chunk, so callers can batch their work).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onMessages: (messages: SseMessage[]) => void,
  parser: SseParser = new SseParser(),
): Promise<SseParser> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const messages = parser.feed(decoder.decode(value, { stream: true }));
      if (messages.length > 0) onMessages(messages);
    }
    const tail = parser.feed(decoder.decode());
    if (tail.length > 0) onMessages(tail);
    parser.end();
  } finally {
    reader.releaseLock();
  }
  return parser;
}
