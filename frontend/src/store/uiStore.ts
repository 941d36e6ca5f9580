// Transient UI state: toasts, the connection hint, open dialogs, a pending
// confirmation, the history panel, run issues.
import { create } from "zustand";
import type { Issue } from "../lib/validate";

export type ToastKind = "info" | "error" | "success";

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

export type Dialog = "settings" | "help" | "open" | "saveAs" | null;

export interface ConfirmRequest {
  title: string;
  message: string;
  /** The label of the button that goes ahead ("Delete", "Discard changes"). */
  confirmLabel: string;
  danger?: boolean;
}

interface PendingConfirm extends ConfirmRequest {
  resolve: (yes: boolean) => void;
}

export interface UiState {
  toasts: Toast[];
  hint: string | null;
  dialog: Dialog;
  confirm: PendingConfirm | null;
  historyOpen: boolean;
  quickAdd: { x: number; y: number } | null;
  issues: Issue[];
  /** Fit the view once the nodes are measured (after an import). */
  fitPending: boolean;
  requestFit: (pending?: boolean) => void;
  toast: (text: string, kind?: ToastKind) => void;
  dismiss: (id: number) => void;
  setHint: (hint: string | null) => void;
  setDialog: (dialog: Dialog) => void;
  /** Ask the user (an in-page dialog); resolves true when they go ahead. */
  ask: (request: ConfirmRequest) => Promise<boolean>;
  answer: (yes: boolean) => void;
  setHistoryOpen: (open: boolean) => void;
  setQuickAdd: (at: { x: number; y: number } | null) => void;
  setIssues: (issues: Issue[]) => void;
}

let nextToast = 1;

export const useUiStore = create<UiState>((set, get) => ({
  toasts: [],
  hint: null,
  dialog: null,
  confirm: null,
  historyOpen: false,
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
  ask(request) {
    get().confirm?.resolve(false); // one question at a time: a new one cancels the old
    return new Promise<boolean>((resolve) => set({ confirm: { ...request, resolve } }));
  },
  answer(yes) {
    const pending = get().confirm;
    if (!pending) return;
    set({ confirm: null });
    pending.resolve(yes);
  },
  setHistoryOpen: (historyOpen) => set({ historyOpen }),
  setQuickAdd: (quickAdd) => set({ quickAdd }),
  setIssues: (issues) => set({ issues }),
}));
