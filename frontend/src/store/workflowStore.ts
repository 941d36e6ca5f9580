// Which saved workflow the canvas is (name, version), and whether the canvas
// changed since it was opened or saved. Kept across reloads with the canvas.
import { create } from "zustand";
import { loadOpenWorkflow, saveOpenWorkflow, type OpenWorkflow } from "../lib/persistence";

export interface WorkflowState {
  name: string | null;
  version: number | null;
  /** graphSignature() of the canvas as last opened or saved. */
  signature: string | null;
  dirty: boolean;
  /** A save, open or restore in flight. */
  busy: boolean;
  setOpen: (open: OpenWorkflow | null) => void;
  setDirty: (dirty: boolean) => void;
  setBusy: (busy: boolean) => void;
}

const restored = loadOpenWorkflow();

export const useWorkflowStore = create<WorkflowState>((set) => ({
  name: restored?.name ?? null,
  version: restored?.version ?? null,
  signature: restored?.signature ?? null,
  dirty: false,
  busy: false,
  setOpen(open) {
    saveOpenWorkflow(open);
    set({ name: open?.name ?? null, version: open?.version ?? null, signature: open?.signature ?? null, dirty: false });
  },
  setDirty: (dirty) => set({ dirty }),
  setBusy: (busy) => set({ busy }),
}));
