// Group selection into subgraph: save the selected nodes as a new workflow, then
// put one Subgraph node running it in their place (one undo step). Nothing on the
// canvas changes when the save fails.
import { listWorkflows, saveWorkflow } from "../api/workflows";
import { groupable, groupSelection, type Grouped } from "../lib/grouping";
import { workflowBody, workflowNameError } from "../lib/workflows";
import { schemaOf } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { interfaceOf, primeWorkflow } from "../store/subgraphStore";
import { useUiStore } from "../store/uiStore";

/** How many selected nodes a group would take in (views and named variables stay out). */
export function groupableCount(): number {
  return useGraphStore.getState().nodes.filter((n) => n.selected && groupable(n)).length;
}

/** What grouping the selection would make, without saving anything (throws why it cannot). */
export function previewGroup(name: string): Grouped {
  const { nodes, edges } = useGraphStore.getState();
  const selected = new Set(nodes.filter((n) => n.selected).map((n) => n.id));
  return groupSelection(nodes, edges, selected, name, schemaOf, interfaceOf);
}

/** Save the selection as workflow `name` and replace it with a Subgraph node. Throws the reason when it cannot. */
export async function groupIntoSubgraph(name: string, signal?: AbortSignal): Promise<Grouped> {
  const problem = workflowNameError(name);
  if (problem) throw new Error(problem);
  const grouped = previewGroup(name);
  const existing = await listWorkflows(signal);
  if (existing.some((w) => w.name === name)) throw new Error(`A workflow '${name}' exists already: give the new one its own name`);
  const body = workflowBody(grouped.inner.nodes, grouped.inner.edges);
  const saved = await saveWorkflow(name, body, signal);
  primeWorkflow(saved.name || name, saved.version, grouped.inner);
  useGraphStore.getState().setGraph(grouped.outer, "record");
  const count = grouped.inner.nodes.length - grouped.inputs.length - grouped.outputs.length;
  useUiStore.getState().toast(`Grouped ${count} node${count === 1 ? "" : "s"} into '${saved.name || name}' (saved as a workflow)`, "success");
  return grouped;
}
