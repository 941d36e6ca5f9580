// Into a subgraph and back: Open on a Subgraph, Map or Loop node puts the workflow
// it runs on the canvas, as that saved workflow (editable, saved as itself); the
// breadcrumb goes back to the canvas it left, as it was (graph, undo history, view,
// run). What was saved inside shows on the node when it is back.
import { getWorkflow, getWorkflowVersion } from "../api/workflows";
import { isWorkflowNode } from "../lib/model";
import { pastRunInside } from "../lib/runRecord";
import { isGoing } from "../lib/runStatus";
import { graphFromWorkflow } from "../lib/serialize";
import { graphSignature } from "../lib/workflows";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { refreshWorkflows } from "../store/subgraphStore";
import { useSubgraphNavStore, type Level, type RunSnapshot } from "../store/subgraphNavStore";
import { canvasView, useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { confirmDiscard, refreshDirty } from "./workflowActions";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function runSnapshot(): RunSnapshot {
  const { phase, runId, entries, index, live, viewResults, eventCount, lastEventId, startedAt, finishedAt, detached, partial, groupOutputs } = useRunStore.getState();
  return { phase, runId, entries, index, live, viewResults, eventCount, lastEventId, startedAt, finishedAt, detached, partial, groupOutputs };
}

/** Open the workflow a Subgraph, Map or Loop node runs (its pinned version, else the latest). */
export async function openSubgraph(nodeId: string): Promise<boolean> {
  const graph = useGraphStore.getState();
  const node = graph.nodes.find((n) => n.id === nodeId);
  if (!node || !isWorkflowNode(node) || !node.data.workflow) return false;
  const ui = useUiStore.getState();
  const run = useRunStore.getState();
  if (isGoing(run.phase)) {
    ui.toast("Wait until the run ends (or stop it) to open a subgraph: the run shows on this canvas", "error");
    return false;
  }
  const { workflow, version } = node.data;
  let record;
  try {
    record = await (typeof version === "number" ? getWorkflowVersion(workflow, version) : getWorkflow(workflow));
  } catch (error) {
    ui.toast(`Could not open '${workflow}': ${message(error)}`, "error");
    return false;
  }
  const inner = graphFromWorkflow(record.workflow);
  const open = useWorkflowStore.getState();
  const level: Level = {
    nodes: graph.nodes,
    edges: graph.edges,
    past: graph.past,
    future: graph.future,
    viewport: { ...canvasView.current },
    open: open.name ? { name: open.name, version: open.version, signature: open.signature ?? "" } : null,
    run: runSnapshot(),
    nodeId,
  };
  useSubgraphNavStore.getState().push(level);
  useGraphStore.getState().setGraph(inner, "reset");
  useWorkflowStore.getState().setOpen({ name: record.name || workflow, version: record.version, signature: graphSignature(inner.nodes, inner.edges) });
  refreshDirty();
  // What the last run did inside a subgraph shows on its nodes (a map's or loop's copies are many: none shows).
  const inside = node.type === "subgraphNode" && !run.detached ? pastRunInside(run, nodeId) : null;
  if (inside) useRunStore.getState().showPast(inside);
  else useRunStore.getState().clear();
  ui.setIssues([]);
  ui.requestFit();
  return true;
}

/** Go back to the canvas at `depth` of the breadcrumb (0: the outermost), asking first if this one is unsaved. */
export async function backTo(depth: number): Promise<boolean> {
  const level = useSubgraphNavStore.getState().stack[depth];
  if (!level) return false;
  if (isGoing(useRunStore.getState().phase)) {
    useUiStore.getState().toast("Wait until the run ends (or stop it) to go back", "error");
    return false;
  }
  if (!(await confirmDiscard(`Going back to '${level.open?.name ?? "Untitled"}'`))) return false;
  const inner = useWorkflowStore.getState();
  useSubgraphNavStore.getState().popTo(depth);
  useGraphStore.setState({ nodes: level.nodes, edges: level.edges, past: level.past, future: level.future, lastTag: null });
  useWorkflowStore.getState().setOpen(level.open);
  refreshDirty();
  if (level.run) useRunStore.setState(level.run);
  else useRunStore.getState().clear();
  const ui = useUiStore.getState();
  ui.setIssues([]);
  ui.restoreViewport(level.viewport);
  void refreshWorkflows(level.nodes);
  // A node pinned to a version runs that one, whatever was saved inside since.
  const opened = level.nodes.find((n) => n.id === level.nodeId);
  if (opened && isWorkflowNode(opened) && typeof opened.data.version === "number" && opened.data.workflow === inner.name && inner.version !== opened.data.version) {
    ui.toast(`'${opened.id}' still runs version ${opened.data.version} of '${inner.name}' (pick "latest" on it to run the newest)`);
  }
  return true;
}

/** The canvas became another graph (opened, imported, new): the breadcrumb leads nowhere now. */
export function forgetSubgraphs(): void {
  useSubgraphNavStore.getState().clear();
}
