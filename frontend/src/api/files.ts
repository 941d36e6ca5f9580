// Uploading a file for a Path input (POST /files, docs/api.md).
import { apiHeaders, apiUrl, errorFrom } from "./config";
import type { FileRef } from "./types";

/** Send `file` to the gateway's object store; the reference a Path input holds. */
export async function uploadFile(file: File, signal?: AbortSignal): Promise<FileRef> {
  const body = new FormData();
  body.append("file", file, file.name);
  const response = await fetch(apiUrl("/files"), { method: "POST", headers: apiHeaders({ Accept: "application/json" }), body, signal });
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as FileRef;
}

/** Whether a value is an uploaded file's reference (as POST /files answered it). */
export function isFileRef(value: unknown): value is FileRef {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.psynapse_file === "string" && typeof v.name === "string" && typeof v.size === "number" && Object.keys(v).length === 3;
}
