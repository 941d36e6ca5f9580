// Streaming endpoints: a run's events over SSE (fetch + our parser, abortable).
import { apiHeaders, apiUrl, errorFrom } from "./config";
import { readSse, SseParser, type SseMessage } from "./sse";
import type { GraphRequest, RunEvent } from "./types";

export interface RunStreamHandlers {
  /** The run id, from the `X-Run-Id` header, before any event. */
  onRunId?: (runId: string) => void;
  /** The events of one network read, in order, with the last SSE id. */
  onEvents: (events: RunEvent[], lastEventId: string) => void;
  signal?: AbortSignal;
}

export interface StreamResult {
  runId: string | null;
  lastEventId: string;
}

function decode(messages: SseMessage[]): RunEvent[] {
  const events: RunEvent[] = [];
  for (const message of messages) {
    try {
      events.push(JSON.parse(message.data) as RunEvent);
    } catch {
      // a non-JSON message is not ours to show
    }
  }
  return events;
}

async function consume(response: Response, handlers: RunStreamHandlers): Promise<StreamResult> {
  if (!response.ok) throw await errorFrom(response);
  const runId = response.headers.get("X-Run-Id");
  if (runId) handlers.onRunId?.(runId);
  if (!response.body) throw new Error("The server sent no event stream");
  const parser = await readSse(response.body, (messages) => {
    const events = decode(messages);
    if (events.length > 0) handlers.onEvents(events, messages[messages.length - 1].id);
  });
  return { runId, lastEventId: parser.lastEventId };
}

/** POST /execute/stream: run a graph and follow its events until the last one. */
export async function executeStream(request: GraphRequest, handlers: RunStreamHandlers): Promise<StreamResult> {
  const response = await fetch(apiUrl("/execute/stream"), {
    method: "POST",
    headers: apiHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify(request),
    signal: handlers.signal,
  });
  return consume(response, handlers);
}

/** GET /runs/{id}/events: replay a run (after `lastEventId`), then follow it live. */
export async function followRun(
  runId: string,
  lastEventId: string | null,
  handlers: RunStreamHandlers,
): Promise<StreamResult> {
  const headers = apiHeaders({ Accept: "text/event-stream" });
  if (lastEventId) headers["Last-Event-ID"] = lastEventId;
  const response = await fetch(apiUrl(`/runs/${encodeURIComponent(runId)}/events`), {
    headers,
    signal: handlers.signal,
  });
  return consume(response, handlers);
}

export { SseParser };
