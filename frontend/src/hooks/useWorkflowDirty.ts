// Keeps the toolbar's unsaved-changes marker current: after edits settle
// (a drag is one check, not one per frame) and whenever the open workflow changes.
import { useEffect } from "react";
import { useGraphStore } from "../store/graphStore";
import { useWorkflowStore } from "../store/workflowStore";
import { refreshDirty } from "../actions/workflowActions";

const SETTLE_MS = 150;

export function useWorkflowDirty() {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    refreshDirty();
    const offGraph = useGraphStore.subscribe((state, previous) => {
      if (state.nodes === previous.nodes && state.edges === previous.edges) return;
      clearTimeout(timer);
      timer = setTimeout(refreshDirty, SETTLE_MS);
    });
    const offWorkflow = useWorkflowStore.subscribe((state, previous) => {
      if (state.name !== previous.name || state.signature !== previous.signature) refreshDirty();
    });
    return () => {
      clearTimeout(timer);
      offGraph();
      offWorkflow();
    };
  }, []);
}
