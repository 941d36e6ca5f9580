// Transient UI state: toasts, the connection hint, open dialogs, run issues.
import { create } from "zustand";
import type { Issue } from "../lib/validate";

export type ToastKind = "info" | "error" | "success";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

export type Dialog = "settings" | "help" | null;

export interface UiState {
  toasts: Toast[];
  hint: string | null;
  dialog: Dialog;
  quickAdd: { x: number; y: number } | null;
  issues: Issue[];
  /** Fit the view once the nodes are measured (after an import). */
  fitPending: boolean;
  requestFit: (pending?: boolean) => void;
  toast: (text: string, kind?: ToastKind) => void;
  dismiss: (id: number) => void;
  setHint: (hint: string | null) => void;
  setDialog: (dialog: Dialog) => void;
  setQuickAdd: (at: { x: number; y: number } | null) => void;
  setIssues: (issues: Issue[]) => void;
}

let nextToast = 1;

export const useUiStore = create<UiState>((set, get) => ({
  toasts: [],
  hint: null,
  dialog: null,
  quickAdd: null,
  issues: [],
  fitPending: false,
  requestFit: (pending = true) => set({ fitPending: pending }),
  toast(text, kind = "info") {
    const id = nextToast++;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, text }] });
    setTimeout(() => get().dismiss(id), kind === "error" ? 7000 : 4000);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  setHint: (hint) => set({ hint }),
  setDialog: (dialog) => set({ dialog }),
  setQuickAdd: (quickAdd) => set({ quickAdd }),
  setIssues: (issues) => set({ issues }),
}));
