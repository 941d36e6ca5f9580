// The history panel's work: list past runs, look at one (its cards, and its
// view values on the canvas when it is the open workflow), run it again.
import { fetchRunDetail, listRuns } from "../api/history";
import { ApiError } from "../api/config";
import type { RunSummary } from "../api/types";
import { getWorkflow } from "../api/workflows";
import { pastRunFromDetail } from "../lib/runRecord";
import { useHistoryStore } from "../store/historyStore";
import { useRunStore } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { openWorkflow } from "./workflowActions";

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
 * Run again: the open graph; or, when the run was of another saved workflow,
 * open that one (asking first if the canvas is unsaved) and run it.
 */
export async function rerun(run: Pick<RunSummary, "workflow">, execute: () => Promise<void>): Promise<void> {
  const ui = useUiStore.getState();
  const open = useWorkflowStore.getState().name;
  if (runGoing()) return;
  if (run.workflow && run.workflow !== open) {
    let saved = true;
    try {
      await getWorkflow(run.workflow);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        ui.toast(`Re-run: ${message(error)}`, "error");
        return;
      }
      saved = false;
    }
    if (saved) {
      if (!(await openWorkflow(run.workflow))) return;
    } else {
      ui.toast(`'${run.workflow}' is not saved any more: running the open graph`);
    }
  }
  await execute();
}
