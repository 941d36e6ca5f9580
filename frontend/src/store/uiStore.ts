// Transient UI state: toasts, the connection hint, open dialogs, a pending
// confirmation, the history panel, run issues.
import type { Viewport } from "@xyflow/react";
import { create } from "zustand";
import { loadPrefs, savePrefs, type Prefs } from "../lib/persistence";
import type { Issue } from "../lib/validate";
import type { WireEnd } from "../lib/wireFit";

export type ToastKind = "info" | "error" | "success";

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  action?: ToastAction;
}

/** Quick-add, open: where its box is (screen), where the node goes (flow), and the wire it would take. */
export interface QuickAddAt {
  x: number;
  y: number;
  flow: { x: number; y: number };
  wire?: WireEnd;
}

/**
 * The canvas's right-click menu, open at a screen point: on a node (`nodeId`: run to it,
 * run the selection, the Edit menu's commands), on the selection (`selection`: run it,
 * the commands) or on the pane (the commands).
 */
export interface ContextMenuAt {
  x: number;
  y: number;
  nodeId?: string;
  selection?: boolean;
}

export type Theme = Prefs["theme"];

export type Dialog = "settings" | "help" | "open" | "saveAs" | "group" | null;

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
  quickAdd: QuickAddAt | null;
  issues: Issue[];
  theme: Theme;
  minimapOpen: boolean;
  /** A wire is being drawn (the minimap lets it through). */
  connecting: boolean;
  /** Reset the view to 100% at the origin (a new, empty canvas). */
  viewResetPending: boolean;
  /** Fit the view once the nodes are measured (after an import). */
  fitPending: boolean;
  /** The canvas's context menu, open at a screen point. */
  contextMenu: ContextMenuAt | null;
  setContextMenu: (at: ContextMenuAt | null) => void;
  /** Put the view back where it was (coming back from a subgraph). */
  viewportPending: Viewport | null;
  restoreViewport: (viewport: Viewport | null) => void;
  requestFit: (pending?: boolean) => void;
  toast: (text: string, kind?: ToastKind, action?: ToastAction) => void;
  dismiss: (id: number) => void;
  setHint: (hint: string | null) => void;
  setDialog: (dialog: Dialog) => void;
  /** Ask the user (an in-page dialog); resolves true when they go ahead. */
  ask: (request: ConfirmRequest) => Promise<boolean>;
  answer: (yes: boolean) => void;
  setHistoryOpen: (open: boolean) => void;
  setQuickAdd: (at: QuickAddAt | null) => void;
  setIssues: (issues: Issue[]) => void;
  setTheme: (theme: Theme) => void;
  setMinimapOpen: (open: boolean) => void;
  setConnecting: (connecting: boolean) => void;
  requestViewReset: (pending?: boolean) => void;
}

const prefs = loadPrefs();

/** Where the canvas is looking now (kept by the canvas as it moves), to come back to. */
export const canvasView: { current: Viewport } = { current: { x: 0, y: 0, zoom: 1 } };

let nextToast = 1;

export const useUiStore = create<UiState>((set, get) => ({
  toasts: [],
  hint: null,
  dialog: null,
  confirm: null,
  historyOpen: false,
  quickAdd: null,
  issues: [],
  theme: prefs.theme,
  minimapOpen: prefs.minimap,
  connecting: false,
  viewResetPending: false,
  fitPending: false,
  viewportPending: null,
  contextMenu: null,
  setContextMenu: (contextMenu) => set({ contextMenu }),
  restoreViewport: (viewportPending) => set({ viewportPending }),
  requestFit: (pending = true) => set({ fitPending: pending }),
  toast(text, kind = "info", action) {
    const id = nextToast++;
    set({ toasts: [...get().toasts.slice(-3), action ? { id, kind, text, action } : { id, kind, text }] });
    // A toast that offers a fix stays long enough to take it.
    setTimeout(() => get().dismiss(id), action ? 12000 : kind === "error" ? 7000 : 4000);
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
  setTheme(theme) {
    savePrefs({ theme, minimap: get().minimapOpen });
    set({ theme });
  },
  setMinimapOpen(minimapOpen) {
    savePrefs({ theme: get().theme, minimap: minimapOpen });
    set({ minimapOpen });
  },
  setConnecting: (connecting) => set({ connecting }),
  requestViewReset: (pending = true) => set({ viewResetPending: pending }),
}));
