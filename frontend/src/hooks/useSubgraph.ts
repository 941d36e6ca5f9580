// What a Subgraph, Map or Loop node runs, for the node itself: the workflow as
// loaded (or why not), and its inputs and outputs, kept current as it reloads.
import { useEffect, useMemo } from "react";
import type { WorkflowRefData } from "../lib/model";
import type { WorkflowInterface } from "../lib/workflowInterface";
import { useCatalogStore } from "../store/catalogStore";
import { interfaceFrom, keyOf, loadWorkflow, useSubgraphStore, type LoadedWorkflow } from "../store/subgraphStore";

export interface SubgraphView {
  loaded: LoadedWorkflow | undefined;
  iface: WorkflowInterface | undefined;
}

export function useSubgraph(data: WorkflowRefData): SubgraphView {
  const { workflow, version } = data;
  const byKey = useSubgraphStore((s) => s.byKey);
  const byName = useCatalogStore((s) => s.byName);
  const loaded = workflow ? byKey[keyOf({ workflow, version })] : undefined;
  useEffect(() => {
    if (workflow) void loadWorkflow(workflow, version);
  }, [workflow, version]);
  const iface = useMemo(() => (workflow ? interfaceFrom(byKey, byName, { workflow, version }) : undefined), [byKey, byName, workflow, version]);
  return { loaded, iface };
}
