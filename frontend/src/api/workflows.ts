// Saved workflows: named graphs with a version per save (docs/api.md).
import { getJson, sendJson } from "./client";
import type { VersionList, WorkflowBody, WorkflowList, WorkflowRecord, WorkflowSaved, WorkflowSummary, WorkflowVersion } from "./types";

const path = (name: string) => `/workflows/${encodeURIComponent(name)}`;

function required<T>(body: T | null, what: string): T {
  if (body === null) throw new Error(`${what}: the server sent no answer`);
  return body;
}

/** GET /workflows: every saved workflow with its last save time and version count. */
export async function listWorkflows(signal?: AbortSignal): Promise<WorkflowSummary[]> {
  const body = await getJson<Partial<WorkflowList>>("/workflows", signal);
  return body.workflows ?? [];
}

/** GET /workflows/{name}: the latest version. */
export function getWorkflow(name: string, signal?: AbortSignal): Promise<WorkflowRecord> {
  return getJson<WorkflowRecord>(path(name), signal);
}

/** PUT /workflows/{name}: save the graph as the workflow's next version. */
export async function saveWorkflow(name: string, body: WorkflowBody, signal?: AbortSignal): Promise<WorkflowSaved> {
  return required(await sendJson<WorkflowSaved>("PUT", path(name), body, signal), "Save");
}

/** DELETE /workflows/{name}: the workflow and all its versions. */
export async function deleteWorkflow(name: string, signal?: AbortSignal): Promise<void> {
  await sendJson("DELETE", path(name), undefined, signal);
}

/** GET /workflows/{name}/versions: newest first. */
export async function listVersions(name: string, signal?: AbortSignal): Promise<WorkflowVersion[]> {
  const body = await getJson<Partial<VersionList>>(`${path(name)}/versions`, signal);
  return [...(body.versions ?? [])].sort((a, b) => b.version - a.version);
}

/** GET /workflows/{name}/versions/{n}. */
export function getWorkflowVersion(name: string, version: number, signal?: AbortSignal): Promise<WorkflowRecord> {
  return getJson<WorkflowRecord>(`${path(name)}/versions/${version}`, signal);
}

/** POST /workflows/{name}/versions/{n}/restore: version n saved again as the newest. */
export async function restoreVersion(name: string, version: number, signal?: AbortSignal): Promise<WorkflowSaved> {
  return required(await sendJson<WorkflowSaved>("POST", `${path(name)}/versions/${version}/restore`, undefined, signal), "Restore");
}
