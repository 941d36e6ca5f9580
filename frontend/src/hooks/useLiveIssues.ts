// While the "Cannot run yet" list is up, check again as the graph changes: a
// problem fixed leaves the list at once, and the list goes when none is left.
import { useEffect } from "react";
import { preRunIssues } from "../lib/validate";
import { missingFor, schemaOf, useCatalogStore } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { interfaceOf, keyOf, useSubgraphStore } from "../store/subgraphStore";
import { useUiStore } from "../store/uiStore";

const SETTLE_MS = 120;

export function currentIssues() {
  const { nodes, edges } = useGraphStore.getState();
  const packs = useCatalogStore.getState().packs;
  const { byKey } = useSubgraphStore.getState();
  return preRunIssues(nodes, edges, schemaOf, (name) => missingFor(packs, name), (node) => ({
    loaded: node.data.workflow ? byKey[keyOf(node.data)] : undefined,
    iface: interfaceOf(node),
  }));
}

export function useLiveIssues() {
  const showing = useUiStore((s) => s.issues.length > 0);
  useEffect(() => {
    if (!showing) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const recheck = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const issues = currentIssues();
        const now = useUiStore.getState().issues;
        if (JSON.stringify(issues) !== JSON.stringify(now)) useUiStore.getState().setIssues(issues);
      }, SETTLE_MS);
    };
    const offGraph = useGraphStore.subscribe((state, previous) => {
      if (state.nodes !== previous.nodes || state.edges !== previous.edges) recheck();
    });
    const offCatalog = useCatalogStore.subscribe(recheck);
    const offWorkflows = useSubgraphStore.subscribe(recheck);
    return () => {
      clearTimeout(timer);
      offGraph();
      offCatalog();
      offWorkflows();
    };
  }, [showing]);
}
