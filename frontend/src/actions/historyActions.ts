// The history panel's work: list past runs, look at one (its cards, and its
// view values on the canvas when it is the open workflow), run its own graph
// again, or open that graph in the editor.
import { fetchRunDetail, fetchRunGraph, listRuns } from "../api/history";
import type { GraphRequest, RunDetail, RunGraph, RunSummary } from "../api/types";
import { getWorkflow } from "../api/workflows";
import { partialRun, type PartialRun } from "../lib/partialRun";
import { requestOf, sameGraph } from "../lib/runGraph";
import { pastRunFromDetail } from "../lib/runRecord";
import { graphFromWorkflow, toExecuteRequest } from "../lib/serialize";
import { graphSignature } from "../lib/workflows";
import { schemaOf } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { useHistoryStore } from "../store/historyStore";
import { useRunStore, type DetachedRun } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { closeWorkflow, confirmDiscard, loadGraph, refreshDirty } from "./workflowActions";

export const HISTORY_LIMIT = 50;

let listing: AbortController | null = null;
let loadingDetail: AbortController | null = null;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Reload the list of past runs (the newest 50, or the open workflow's). */
export async function refreshHistory(): Promise<RunSummary[] | null> {
  listing?.abort();
  const abort = new AbortController();
  listing = abort;
  const history = useHistoryStore.getState();
  const name = useWorkflowStore.getState().name;
  history.startLoading();
  try {
    const runs = await listRuns({ limit: HISTORY_LIMIT, workflow: history.onlyOpen && name ? name : null }, abort.signal);
    if (listing === abort) useHistoryStore.getState().setRuns(runs);
    return runs;
  } catch (error) {
    if (abort.signal.aborted) return null;
    useHistoryStore.getState().setError(message(error));
    useUiStore.getState().toast(`History: ${message(error)}`, "error");
    return null;
  } finally {
    if (listing === abort) listing = null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** After a run ends: reload until it is listed (the server records it as it finishes). */
export async function refreshAfterRun(runId: string | null, tries = 3, waitMs = 700): Promise<void> {
  for (let attempt = 0; attempt < tries; attempt++) {
    const runs = await refreshHistory();
    if (!runs || !runId || runs.some((r) => r.run_id === runId)) return;
    await sleep(waitMs);
  }
}

function runGoing(): boolean {
  const phase = useRunStore.getState().phase;
  return phase === "running" || phase === "stopping";
}

/** Look at a past run; its view values go onto the canvas when it is the open workflow. */
export async function selectRun(runId: string): Promise<void> {
  loadingDetail?.abort();
  const abort = new AbortController();
  loadingDetail = abort;
  useHistoryStore.getState().select(runId);
  try {
    const detail = await fetchRunDetail(runId, abort.signal);
    if (loadingDetail !== abort) return;
    const open = useWorkflowStore.getState().name;
    const onCanvas = !!detail.workflow && detail.workflow === open && detail.status !== "running" && !runGoing();
    if (onCanvas) useRunStore.getState().showPast(pastRunFromDetail(detail));
    useHistoryStore.getState().setDetail(detail, onCanvas);
  } catch (error) {
    if (abort.signal.aborted) return;
    useHistoryStore.getState().select(null);
    useUiStore.getState().toast(`Could not load run ${runId}: ${message(error)}`, "error");
  } finally {
    if (loadingDetail === abort) loadingDetail = null;
  }
}

/**
 * Run a past run again: its own graph as it ran (kept with the run), whatever is on
 * the canvas. When that graph is the canvas, the canvas shows the run; otherwise
 * the status panel does, and Open in editor puts the graph on the canvas.
 */
export async function rerun(
  run: Pick<RunSummary, "run_id">,
  execute: (request: GraphRequest, detached: DetachedRun | null, partial: PartialRun | null) => Promise<void>,
): Promise<void> {
  if (runGoing()) return;
  let graph: RunGraph;
  try {
    graph = await fetchRunGraph(run.run_id);
  } catch (error) {
    useUiStore.getState().toast(`Re-run: ${message(error)}`, "error");
    return;
  }
  const { nodes, edges } = useGraphStore.getState();
  const onCanvas = sameGraph(toExecuteRequest(nodes, edges, schemaOf), graph);
  const partial = graph.targets ? partialRun(graph.targets, graph.edges) : null;
  await execute(requestOf(graph), onCanvas ? null : { fromRunId: run.run_id, workflow: graph.workflow }, partial);
}

/**
 * Put a past run's graph on the canvas (asking first if the canvas is unsaved), with
 * that run's results on it. The canvas is the run's workflow again: that version when
 * the graph is its newest one, else unsaved changes to it (Save makes them its next).
 */
export async function openRunInEditor(detail: RunDetail): Promise<boolean> {
  const ui = useUiStore.getState();
  let graph: RunGraph;
  try {
    graph = await fetchRunGraph(detail.run_id);
  } catch (error) {
    ui.toast(`Open in editor: ${message(error)}`, "error");
    return false;
  }
  const short = detail.run_id.slice(0, 8);
  if (!(await confirmDiscard(`Opening the graph of run ${short}`))) return false;
  const loaded = graphFromWorkflow({ nodes: graph.nodes, edges: graph.edges });
  loadGraph(loaded);
  const signature = graphSignature(loaded.nodes, loaded.edges);
  const saved = graph.workflow ? await getWorkflow(graph.workflow).catch(() => null) : null;
  if (saved && graph.workflow) {
    const newest = graphFromWorkflow(saved.workflow);
    const same = graphSignature(newest.nodes, newest.edges) === signature;
    useWorkflowStore.getState().setOpen({ name: graph.workflow, version: same ? saved.version : null, signature: same ? signature : "" });
  } else {
    closeWorkflow();
  }
  refreshDirty();
  if (detail.status !== "running") useRunStore.getState().showPast(pastRunFromDetail(detail));
  useHistoryStore.getState().setDetail(detail, detail.status !== "running");
  ui.toast(`Opened the graph of run ${short}${graph.workflow ? ` ('${graph.workflow}')` : ""}`, "success");
  return true;
}

/** Open in editor for a run known by its id (the status panel's note on a Re-run of another graph). */
export async function openRunById(runId: string): Promise<boolean> {
  try {
    return await openRunInEditor(await fetchRunDetail(runId));
  } catch (error) {
    useUiStore.getState().toast(`Open in editor: ${message(error)}`, "error");
    return false;
  }
}
