// The history panel's data: past runs (GET /runs) and the one looked at.
import { create } from "zustand";
import type { RunDetail, RunSummary } from "../api/types";

export interface HistoryState {
  runs: RunSummary[];
  loading: boolean;
  error: string | null;
  /** Only runs of the open workflow. */
  onlyOpen: boolean;
  selectedId: string | null;
  detail: RunDetail | null;
  detailLoading: boolean;
  /** The selected run's views are shown on the canvas (same workflow). */
  onCanvas: boolean;
  setOnlyOpen: (onlyOpen: boolean) => void;
  startLoading: () => void;
  setRuns: (runs: RunSummary[]) => void;
  setError: (error: string) => void;
  select: (runId: string | null) => void;
  setDetail: (detail: RunDetail | null, onCanvas?: boolean) => void;
}

export const useHistoryStore = create<HistoryState>((set, get) => ({
  runs: [],
  loading: false,
  error: null,
  onlyOpen: false,
  selectedId: null,
  detail: null,
  detailLoading: false,
  onCanvas: false,
  setOnlyOpen: (onlyOpen) => set({ onlyOpen }),
  startLoading: () => set({ loading: true }),
  setRuns: (runs) => set({ runs, loading: false, error: null }),
  setError: (error) => set({ error, loading: false }),
  select: (selectedId) =>
    set(selectedId === null ? { selectedId, detail: null, detailLoading: false, onCanvas: false } : { selectedId, detailLoading: selectedId !== get().detail?.run_id }),
  setDetail: (detail, onCanvas = false) => set({ detail, detailLoading: false, onCanvas }),
}));
