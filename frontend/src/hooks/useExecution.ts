// Runs the graph: validate, POST /execute/stream, feed events to the run
// store (batched per frame), Stop = cancel on the server, and reattach to a
// run that was going when the page reloaded (GET /runs/{id}/events).
import { useCallback, useEffect, useRef } from "react";
import { cancelRun } from "../api/client";
import { ApiError } from "../api/config";
import { executeStream, followRun, type RunStreamHandlers } from "../api/stream";
import type { GraphRequest } from "../api/types";
import { issuesOfPart, partialRun, type PartialRun } from "../lib/partialRun";
import { envVarsRecord, loadRunId, saveRunId } from "../lib/persistence";
import { toExecuteRequest } from "../lib/serialize";
import type { PsyNode } from "../lib/model";
import { schemaOf } from "../store/catalogStore";
import { interfaceOf, refreshWorkflows } from "../store/subgraphStore";
import { useGraphStore } from "../store/graphStore";
import { useRunStore, type DetachedRun } from "../store/runStore";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { followRunStream, GONE } from "../actions/runFollower";
import { currentIssues } from "./useLiveIssues";

const STOP_GRACE_MS = 5000;

/** Each subgraph node's outputs as path ids (`s/view_1`): its card ends when they have. */
function subgraphOutputs(nodes: PsyNode[]): Record<string, string[]> {
  const outputs: Record<string, string[]> = {};
  for (const node of nodes) {
    if (node.type !== "subgraphNode") continue;
    const iface = interfaceOf(node);
    if (iface) outputs[node.id] = iface.outputs.map((output) => `${node.id}/${output.viewId}`);
  }
  return outputs;
}

export function useExecution() {
  const controller = useRef<AbortController | null>(null);
  const runId = useRef<string | null>(null);
  const userStopped = useRef(false);
  /** Execute was pressed and the run's workflows are being fetched: a second press is one run, not two. */
  const preparing = useRef(false);
  const phase = useRunStore((s) => s.phase);

  /** Follow a run to its end, then settle the phase and the saved run id. */
  const follow = useCallback(async (start: (handlers: RunStreamHandlers) => Promise<unknown>) => {
    userStopped.current = false;
    const abort = new AbortController();
    controller.current = abort;
    const outcome = await followRunStream({
      start,
      signal: abort.signal,
      runId: () => runId.current,
      onRunId: (id) => {
        runId.current = id;
        useRunStore.getState().setRunId(id);
        saveRunId(id);
      },
    });
    const state = useRunStore.getState();
    if (outcome === "gone") state.clear();
    else if (state.phase === "stopping") state.setPhase("cancelled");
    else if (state.phase === "running") state.setPhase(outcome === "aborted" ? "cancelled" : "done");
    if (outcome !== "aborted" || userStopped.current) saveRunId(null);
    if (controller.current === abort) controller.current = null;
    runId.current = null;
  }, []);

  /**
   * Run `request` (the canvas, or a past run's own graph: `detached` when it is not the
   * canvas); `partial` when it runs to some nodes of the canvas only; `groupOutputs`, each
   * subgraph node's outputs (its card ends when they have).
   */
  const runGraph = useCallback(
    async (
      request: GraphRequest,
      detached: DetachedRun | null = null,
      partial: PartialRun | null = null,
      groupOutputs?: Record<string, string[]>,
    ) => {
      if (controller.current) return;
      const envVars = envVarsRecord();
      const body: GraphRequest = Object.keys(envVars).length ? { ...request, env_vars: envVars } : request;
      useRunStore.getState().begin(detached, partial, groupOutputs);
      await follow((handlers) => executeStream(body, handlers));
    },
    [follow],
  );

  /** Run the canvas: all of it, or with `targets` only them and the nodes they need (a partial run). */
  const run = useCallback(async (targets?: string[]) => {
    if (controller.current || preparing.current) return;
    const ui = useUiStore.getState();
    if (targets && targets.length === 0) {
      ui.toast("Select the nodes to run first", "error");
      return;
    }
    // What runs is each subgraph's workflow as saved now: check the canvas against that.
    preparing.current = true;
    try {
      await refreshWorkflows(useGraphStore.getState().nodes);
    } finally {
      preparing.current = false;
    }
    if (controller.current) return;
    const { nodes, edges } = useGraphStore.getState();
    const part = targets ? partialRun(targets, edges) : null;
    // A partial run is held up only by problems in the part it runs.
    const issues = issuesOfPart(currentIssues(), part);
    ui.setIssues(issues);
    if (issues.length > 0) {
      ui.toast(`Not run: ${issues.length === 1 ? issues[0].message : `${issues.length} problems (see the list)`}`, "error");
      return;
    }
    const request = toExecuteRequest(nodes, edges, schemaOf);
    // A saved workflow's runs carry its name (the history lists them by it).
    const workflow = useWorkflowStore.getState().name;
    if (workflow) request.workflow = workflow;
    if (part) request.targets = part.targets;
    await runGraph(request, null, part, subgraphOutputs(nodes));
  }, [runGraph]);

  const stop = useCallback(async () => {
    const run = useRunStore.getState();
    const active = controller.current;
    if (!active) return;
    run.setPhase("stopping");
    userStopped.current = true;
    const id = runId.current ?? run.runId;
    if (!id) {
      active.abort();
      return;
    }
    try {
      await cancelRun(id);
    } catch (error) {
      useUiStore.getState().toast(`Cancel failed: ${(error as Error).message}`, "error");
    }
    // The server ends the run with error events; stop listening if it does not.
    setTimeout(() => {
      if (controller.current === active) active.abort();
    }, STOP_GRACE_MS);
  }, []);

  // A reload during a run: replay it from the start and follow it live.
  useEffect(() => {
    const saved = loadRunId();
    if (!saved || controller.current) return;
    useRunStore.getState().begin();
    runId.current = saved;
    useRunStore.getState().setRunId(saved);
    void follow(async (handlers) => {
      try {
        return await followRun(saved, null, handlers);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return GONE;
        throw error;
      }
    });
    // No abort on unmount: the editor lives as long as the page, and a
    // StrictMode remount must not drop the run it just reattached to.
  }, [follow]);

  return { run, runGraph, stop, phase, running: phase === "running" || phase === "stopping" };
}
