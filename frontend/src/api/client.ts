// Plain JSON endpoints of the gateway (docs/api.md).
import { apiHeaders, apiUrl, errorFrom } from "./config";
import type { NodeSchema, NodepacksResponse, RunRecord } from "./types";

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(apiUrl(path), { signal, headers: apiHeaders({ Accept: "application/json" }) });
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as T;
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

export function fetchRun(runId: string, signal?: AbortSignal): Promise<RunRecord> {
  return getJson<RunRecord>(`/runs/${encodeURIComponent(runId)}`, signal);
}

/** Ask the server to stop a run (202); the run then ends with error events. */
export async function cancelRun(runId: string): Promise<void> {
  const response = await fetch(apiUrl(`/runs/${encodeURIComponent(runId)}/cancel`), { method: "POST", headers: apiHeaders() });
  if (!response.ok) throw await errorFrom(response);
}
