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

export function mockFetch(routes: Record<string, Handler | unknown>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? "GET";
    const call: Call = { method, url, body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined, signal: init?.signal };
    calls.push(call);
    const key = `${method} ${url}`;
    if (!(key in routes)) return json({ detail: `no route ${key}` }, 404);
    const route = routes[key];
    const answer = typeof route === "function" ? (route as Handler)(call) : route;
    return answer instanceof Response ? answer : json(answer);
  });
  vi.stubGlobal("fetch", fn);
  return { fn, calls };
}
