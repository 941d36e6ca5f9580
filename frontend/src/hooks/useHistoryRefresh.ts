// While the history panel is open: load the list when it opens or its filter
// changes, and again after each run ends.
import { useEffect } from "react";
import { useHistoryStore } from "../store/historyStore";
import { useRunStore, type RunPhase } from "../store/runStore";
import { useWorkflowStore } from "../store/workflowStore";
import { refreshAfterRun, refreshHistory } from "../actions/historyActions";

const going = (phase: RunPhase) => phase === "running" || phase === "stopping";

export function useHistoryRefresh() {
  const onlyOpen = useHistoryStore((s) => s.onlyOpen);
  const name = useWorkflowStore((s) => s.name);
  const filter = onlyOpen ? name : null;

  useEffect(() => {
    void refreshHistory();
  }, [onlyOpen, filter]);

  useEffect(
    () =>
      useRunStore.subscribe((state, previous) => {
        if (going(previous.phase) && !going(state.phase)) void refreshAfterRun(state.runId ?? previous.runId);
      }),
    [],
  );
}
