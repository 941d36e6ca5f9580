// Past runs: GET /runs (newest first) and GET /runs/{id} with its nodes.
import { getJson } from "./client";
import type { RunDetail, RunGraph, RunList, RunStatus, RunSummary } from "./types";

export interface RunFilter {
  workflow?: string | null;
  status?: RunStatus | null;
  limit?: number;
}

export function runsQuery({ workflow, status, limit }: RunFilter = {}): string {
  const query = new URLSearchParams();
  if (workflow) query.set("workflow", workflow);
  if (status) query.set("status", status);
  if (limit) query.set("limit", String(limit));
  const text = query.toString();
  return text ? `/runs?${text}` : "/runs";
}

export async function listRuns(filter: RunFilter = {}, signal?: AbortSignal): Promise<RunSummary[]> {
  const body = await getJson<Partial<RunList>>(runsQuery(filter), signal);
  return body.runs ?? [];
}

export function fetchRunDetail(runId: string, signal?: AbortSignal): Promise<RunDetail> {
  return getJson<RunDetail>(`/runs/${encodeURIComponent(runId)}`, signal);
}

/** GET /runs/{id}/graph: the run's own graph (what Re-run runs and Open in editor loads). */
export function fetchRunGraph(runId: string, signal?: AbortSignal): Promise<RunGraph> {
  return getJson<RunGraph>(`/runs/${encodeURIComponent(runId)}/graph`, signal);
}
