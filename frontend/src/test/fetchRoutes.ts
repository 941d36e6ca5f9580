// A fetch stand-in that answers "METHOD /path" routes and records each call.
import { vi } from "vitest";

export interface Call {
  method: string;
  url: string;
  body: unknown;
  signal?: AbortSignal | null;
}

type Handler = (call: Call) => unknown;

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** A fetch stand-in answering with what `handler` returns; what it throws rejects the promise, as with fetch. */
export function answering(handler: (url: string, init?: RequestInit) => Response) {
  return vi.fn((url: string, init?: RequestInit) => new Promise<Response>((resolve) => resolve(handler(url, init))));
}

/** Routes by "METHOD /path": a Handler, a Response, or a body to answer as JSON. */
export function mockFetch(routes: Record<string, unknown>) {
  const calls: Call[] = [];
  const answer = (url: string, init?: RequestInit): Response => {
    const method = init?.method ?? "GET";
    const call: Call = { method, url, body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined, signal: init?.signal };
    calls.push(call);
    const key = `${method} ${url}`;
    if (!(key in routes)) return json({ detail: `no route ${key}` }, 404);
    const route = routes[key];
    const reply = typeof route === "function" ? (route as Handler)(call) : route;
    return reply instanceof Response ? reply : json(reply);
  };
  const fn = answering(answer);
  vi.stubGlobal("fetch", fn);
  return { fn, calls };
}
