// The editor: library | canvas | (history) | status panel, under a toolbar.
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useCallback, useRef } from "react";
import { useAutosave } from "../hooks/useAutosave";
import { useExecution } from "../hooks/useExecution";
import { useSchema } from "../hooks/useSchema";
import { useShortcuts } from "../hooks/useShortcuts";
import { useWorkflowDirty } from "../hooks/useWorkflowDirty";
import { save } from "../hooks/workflowActions";
import type { DragPayload } from "../lib/model";
import { ConfirmDialog } from "../panels/ConfirmDialog";
import { Help } from "../panels/Help";
import { HistoryPanel } from "../panels/HistoryPanel";
import { NodeLibraryPanel } from "../panels/NodeLibraryPanel";
import { OpenWorkflowDialog } from "../panels/OpenWorkflowDialog";
import { QuickAdd } from "../panels/QuickAdd";
import { SaveAsDialog } from "../panels/SaveAsDialog";
import { Settings } from "../panels/Settings";
import { StatusPanel } from "../panels/StatusPanel";
import { Issues, Toasts } from "../panels/Toasts";
import { Toolbar } from "../panels/Toolbar";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { Canvas } from "./Canvas";
import { useEditorActions } from "./useEditorActions";

function EditorInner() {
  useSchema();
  useAutosave();
  useWorkflowDirty();
  const wrapper = useRef<HTMLDivElement>(null);
  const actions = useEditorActions(wrapper);
  const { run, stop, phase } = useExecution();
  const { screenToFlowPosition } = useReactFlow();
  const canUndo = useGraphStore((s) => s.past.length > 0);
  const canRedo = useGraphStore((s) => s.future.length > 0);
  const undo = useGraphStore((s) => s.undo);
  const redo = useGraphStore((s) => s.redo);
  const dialog = useUiStore((s) => s.dialog);
  const setDialog = useUiStore((s) => s.setDialog);
  const quickAdd = useUiStore((s) => s.quickAdd);
  const setQuickAdd = useUiStore((s) => s.setQuickAdd);
  const historyOpen = useUiStore((s) => s.historyOpen);
  const setHistoryOpen = useUiStore((s) => s.setHistoryOpen);

  const openQuickAdd = useCallback(() => {
    const rect = wrapper.current?.getBoundingClientRect();
    setQuickAdd(rect ? { x: rect.left + rect.width / 2 - 150, y: rect.top + rect.height / 3 } : { x: 300, y: 200 });
  }, [setQuickAdd]);

  useShortcuts({
    undo,
    redo,
    copy: actions.copy,
    paste: actions.paste,
    duplicate: actions.duplicate,
    selectAll: actions.selectAll,
    execute: () => void run(),
    save: () => void save(),
    quickAdd: openQuickAdd,
    help: () => setDialog("help"),
  });

  const pickQuickAdd = useCallback(
    (payload: DragPayload) => {
      if (quickAdd) actions.addAt(payload, screenToFlowPosition(quickAdd));
      setQuickAdd(null);
    },
    [actions, quickAdd, screenToFlowPosition, setQuickAdd],
  );
  const closeDialog = useCallback(() => setDialog(null), [setDialog]);
  const closeHistory = useCallback(() => setHistoryOpen(false), [setHistoryOpen]);

  return (
    <div className="psy-app">
      <Toolbar
        phase={phase}
        canUndo={canUndo}
        canRedo={canRedo}
        onExecute={() => void run()}
        onStop={() => void stop()}
        onUndo={undo}
        onRedo={redo}
        onExport={actions.exportFile}
        onImport={actions.importFile}
        onClear={actions.clear}
        onOpen={() => setDialog("open")}
        onSave={() => void save()}
        onSaveAs={() => setDialog("saveAs")}
        historyOpen={historyOpen}
        onHistory={() => setHistoryOpen(!historyOpen)}
        onSettings={() => setDialog("settings")}
        onHelp={() => setDialog("help")}
      />
      <div className={`psy-main${historyOpen ? " psy-main--history" : ""}`}>
        <NodeLibraryPanel onAdd={actions.addInMiddle} />
        <div className="psy-stage">
          <Canvas wrapper={wrapper} onAddAt={actions.addAt} />
          <Issues onFocus={actions.focusNode} />
          <Toasts />
        </div>
        {historyOpen ? <HistoryPanel onRerun={run} onClose={closeHistory} /> : null}
        <StatusPanel onFocusNode={actions.focusNode} />
      </div>
      {quickAdd ? <QuickAdd at={quickAdd} onPick={pickQuickAdd} onClose={() => setQuickAdd(null)} /> : null}
      {dialog === "settings" ? <Settings onClose={closeDialog} /> : null}
      {dialog === "help" ? <Help onClose={closeDialog} /> : null}
      {dialog === "open" ? <OpenWorkflowDialog onClose={closeDialog} /> : null}
      {dialog === "saveAs" ? <SaveAsDialog onClose={closeDialog} /> : null}
      <ConfirmDialog />
    </div>
  );
}

export function PsynapseEditor() {
  return (
    <ReactFlowProvider>
      <EditorInner />
    </ReactFlowProvider>
  );
}
