// Saved workflows on the editor side: the name rule (the server's), the body
// a save sends, and a short signature of a graph to tell whether it changed.
import type { WorkflowBody } from "../api/types";
import type { PsyEdge, PsyNode } from "./model";
import { exportWorkflow } from "./serialize";

export const NAME_MAX = 64;
const NAME_RULE = /^[A-Za-z0-9_-]+$/;

/** Why `name` cannot name a workflow, or null when it can (1–64 of A-Z a-z 0-9 _ -). */
export function workflowNameError(name: string): string | null {
  if (name.length === 0) return "Give the workflow a name";
  if (name.length > NAME_MAX) return `At most ${NAME_MAX} characters (this one has ${name.length})`;
  if (!NAME_RULE.test(name)) return "Only letters, digits, '-' and '_' (no spaces)";
  return null;
}

/** What PUT /workflows/{name} stores: the export format, positions kept. */
export function workflowBody(nodes: PsyNode[], edges: PsyEdge[]): WorkflowBody {
  const { nodes: fileNodes, edges: fileEdges } = exportWorkflow(nodes, edges);
  return { nodes: fileNodes, edges: fileEdges };
}

/**
 * A short fingerprint of what a save would store (FNV-1a over the export JSON):
 * selection and measuring do not change it, moves and edits do.
 */
export function graphSignature(nodes: PsyNode[], edges: PsyEdge[]): string {
  const text = JSON.stringify(workflowBody(nodes, edges));
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${text.length.toString(36)}-${hash.toString(36)}`;
}
