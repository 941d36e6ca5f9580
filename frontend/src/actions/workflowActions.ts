// Save / Save as / Open / Restore / Delete of saved workflows. Plain functions
// over the stores (the toolbar, shortcuts, dialogs and history call them);
// server errors become toasts, or are thrown to the dialog that shows them.
import type { WorkflowSaved } from "../api/types";
import { deleteWorkflow, getWorkflow, getWorkflowVersion, restoreVersion, saveWorkflow } from "../api/workflows";
import type { PsyEdge, PsyNode } from "../lib/model";
import { graphFromWorkflow } from "../lib/serialize";
import { graphSignature, workflowBody, workflowNameError } from "../lib/workflows";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { primeWorkflow } from "../store/subgraphStore";
import { useSubgraphNavStore } from "../store/subgraphNavStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Whether the canvas holds work that is not saved: changes since the open/save, or an untitled graph. */
export function isDirty(): boolean {
  const { nodes, edges } = useGraphStore.getState();
  const { name, signature } = useWorkflowStore.getState();
  if (!name) return nodes.length > 0;
  return signature !== graphSignature(nodes, edges);
}

export function refreshDirty(): void {
  const dirty = isDirty();
  if (useWorkflowStore.getState().dirty !== dirty) useWorkflowStore.getState().setDirty(dirty);
}

/** Ask before replacing unsaved work; true when there is none or the user agrees. */
export async function confirmDiscard(what: string): Promise<boolean> {
  if (!isDirty()) return true;
  const name = useWorkflowStore.getState().name;
  return useUiStore.getState().ask({
    title: "Discard unsaved changes?",
    message: `${name ? `'${name}' has changes that are not saved.` : "The canvas is not saved."} ${what} replaces it.`,
    confirmLabel: "Discard changes",
    danger: true,
  });
}

/** Put a graph on the canvas (one undo step) and forget the last run's state (and the breadcrumb, if inside a subgraph). */
export function loadGraph(graph: { nodes: PsyNode[]; edges: PsyEdge[] }): void {
  useSubgraphNavStore.getState().clear();
  useGraphStore.getState().setGraph(graph, "record");
  useRunStore.getState().clear();
  useUiStore.getState().setIssues([]);
  useUiStore.getState().requestFit();
}

async function busy<T>(work: () => Promise<T>): Promise<T> {
  useWorkflowStore.getState().setBusy(true);
  try {
    return await work();
  } finally {
    useWorkflowStore.getState().setBusy(false);
  }
}

/** Save the canvas under `name` (its next version). Throws the reason when it fails. */
export async function saveAs(name: string, signal?: AbortSignal): Promise<WorkflowSaved> {
  const problem = workflowNameError(name);
  if (problem) throw new Error(problem);
  const { nodes, edges } = useGraphStore.getState();
  const signature = graphSignature(nodes, edges);
  const body = workflowBody(nodes, edges);
  const saved = await busy(() => saveWorkflow(name, body, signal));
  // Subgraph nodes that run it see it as saved now, without asking the server again.
  primeWorkflow(saved.name || name, saved.version, graphFromWorkflow(body));
  useWorkflowStore.getState().setOpen({ name: saved.name || name, version: saved.version ?? null, signature });
  refreshDirty();
  useUiStore.getState().toast(`Saved '${saved.name || name}' (version ${saved.version})`, "success");
  return saved;
}

/** Save to the open workflow; the first time, ask for a name (Save as). */
export async function save(): Promise<void> {
  const { name, busy: inFlight, version } = useWorkflowStore.getState();
  const ui = useUiStore.getState();
  if (!name) {
    ui.setDialog("saveAs");
    return;
  }
  if (inFlight) return;
  if (!isDirty() && version !== null) {
    ui.toast(`No changes since version ${version} of '${name}'`);
    return;
  }
  try {
    await saveAs(name);
  } catch (error) {
    ui.toast(`Save failed: ${message(error)}`, "error");
  }
}

/** Open a saved workflow (its latest version, or `version`), asking first if the canvas is unsaved. */
export async function openWorkflow(name: string, version?: number, signal?: AbortSignal): Promise<boolean> {
  if (!(await confirmDiscard(`Opening '${name}'`))) return false;
  return openWithoutAsking(name, version, signal);
}

async function openWithoutAsking(name: string, version?: number, signal?: AbortSignal): Promise<boolean> {
  const ui = useUiStore.getState();
  try {
    const record = await busy(() => (version === undefined ? getWorkflow(name, signal) : getWorkflowVersion(name, version, signal)));
    const graph = graphFromWorkflow(record.workflow);
    loadGraph(graph);
    const opened = record.version ?? version ?? null;
    useWorkflowStore.getState().setOpen({ name: record.name || name, version: opened, signature: graphSignature(graph.nodes, graph.edges) });
    refreshDirty();
    ui.toast(`Opened '${record.name || name}'${opened !== null ? ` (version ${opened})` : ""}`, "success");
    return true;
  } catch (error) {
    if (signal?.aborted) return false;
    ui.toast(`Could not open '${name}': ${message(error)}`, "error");
    return false;
  }
}

/** Save version `version` again as the newest, then open that. */
export async function restoreWorkflow(name: string, version: number): Promise<boolean> {
  if (!(await confirmDiscard(`Restoring version ${version} of '${name}'`))) return false;
  try {
    const saved = await busy(() => restoreVersion(name, version));
    useUiStore.getState().toast(`Restored version ${version} of '${name}' as version ${saved.version}`, "success");
  } catch (error) {
    useUiStore.getState().toast(`Restore failed: ${message(error)}`, "error");
    return false;
  }
  return openWithoutAsking(name);
}

/** Delete a saved workflow and all its versions, after asking. */
export async function removeWorkflow(name: string): Promise<boolean> {
  const yes = await useUiStore.getState().ask({
    title: `Delete '${name}'?`,
    message: `The workflow '${name}' and all its versions are deleted on the server. Its past runs stay in the history.`,
    confirmLabel: "Delete",
    danger: true,
  });
  if (!yes) return false;
  try {
    await busy(() => deleteWorkflow(name));
  } catch (error) {
    useUiStore.getState().toast(`Delete failed: ${message(error)}`, "error");
    return false;
  }
  // The canvas keeps the graph; it is just not that saved workflow any more.
  if (useWorkflowStore.getState().name === name) closeWorkflow();
  useUiStore.getState().toast(`Deleted '${name}'`);
  return true;
}

/** The canvas is no saved workflow any more (untitled). */
export function closeWorkflow(): void {
  useWorkflowStore.getState().setOpen(null);
  refreshDirty();
}

/** An empty canvas that is no saved workflow, at 100%; the last run is forgotten. */
function emptyCanvas(): void {
  useSubgraphNavStore.getState().clear();
  useGraphStore.getState().setGraph({ nodes: [], edges: [] }, "record");
  useRunStore.getState().clear();
  useUiStore.getState().setIssues([]);
  useUiStore.getState().requestViewReset();
  closeWorkflow();
}

/** New: a fresh, untitled canvas (asking first if the canvas holds unsaved work). */
export async function newWorkflow(): Promise<boolean> {
  if (!(await confirmDiscard("A new workflow"))) return false;
  emptyCanvas();
  return true;
}

/**
 * Clear: remove every node, after asking. The canvas stops being the saved workflow
 * it was (its runs and Ctrl+S would otherwise land on that workflow); Undo brings
 * the nodes back.
 */
export async function clearCanvas(): Promise<boolean> {
  const { nodes, edges } = useGraphStore.getState();
  const name = useWorkflowStore.getState().name;
  if (nodes.length === 0 && !name) return false;
  const what = `${nodes.length} node${nodes.length === 1 ? "" : "s"} and ${edges.length} wire${edges.length === 1 ? "" : "s"}`;
  const yes = await useUiStore.getState().ask({
    title: "Clear the canvas?",
    message: `This removes ${what}${name ? ` and leaves '${name}': the canvas becomes a new, untitled workflow (the saved one is kept)` : ""}. Undo (Ctrl+Z) brings the nodes back.`,
    confirmLabel: "Clear",
    danger: true,
  });
  if (!yes) return false;
  emptyCanvas();
  return true;
}
