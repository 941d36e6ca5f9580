// Plain JSON endpoints of the gateway (docs/api.md).
import { apiHeaders, apiUrl, errorFrom } from "./config";
import type { NodeSchema, NodepacksResponse } from "./types";

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(apiUrl(path), { signal, headers: apiHeaders({ Accept: "application/json" }) });
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as T;
}

/** A PUT/POST/DELETE with an optional JSON body; the JSON answer, or null for 204. */
export async function sendJson<T>(method: "PUT" | "POST" | "DELETE", path: string, body?: unknown, signal?: AbortSignal): Promise<T | null> {
  const headers = apiHeaders(body === undefined ? { Accept: "application/json" } : { Accept: "application/json", "Content-Type": "application/json" });
  const response = await fetch(apiUrl(path), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? (JSON.parse(text) as T) : null;
}

export async function fetchSchema(signal?: AbortSignal): Promise<NodeSchema[]> {
  const body = await getJson<unknown>("/get_schema", signal);
  if (!Array.isArray(body)) throw new Error("GET /get_schema did not answer a list of schemas");
  return body as NodeSchema[];
}

export async function fetchNodepacks(signal?: AbortSignal): Promise<NodepacksResponse> {
  const body = await getJson<Partial<NodepacksResponse>>("/nodepacks", signal);
  return { packs: body.packs ?? [], clashes: body.clashes ?? [] };
}

/** Ask the server to stop a run (202); the run then ends with error events. */
export async function cancelRun(runId: string): Promise<void> {
  const response = await fetch(apiUrl(`/runs/${encodeURIComponent(runId)}/cancel`), { method: "POST", headers: apiHeaders() });
  if (!response.ok) throw await errorFrom(response);
}
