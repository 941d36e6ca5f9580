// The editor: library | canvas | (history) | status panel, under a toolbar.
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { useCallback, useMemo, useRef } from "react";
import { useAutosave } from "../hooks/useAutosave";
import { useExecution } from "../hooks/useExecution";
import { useLiveIssues } from "../hooks/useLiveIssues";
import { useSchema } from "../hooks/useSchema";
import { useShortcuts } from "../hooks/useShortcuts";
import { useTheme } from "../hooks/useTheme";
import { useWorkflowDirty } from "../hooks/useWorkflowDirty";
import { newWorkflow, save } from "../actions/workflowActions";
import type { DragPayload } from "../lib/model";
import { isGoing } from "../lib/runStatus";
import { ConfirmDialog } from "../dialogs/ConfirmDialog";
import { GroupDialog } from "../dialogs/GroupDialog";
import { Breadcrumb } from "../panels/Breadcrumb";
import type { EditActions } from "../panels/editCommands";
import { HelpDialog } from "../dialogs/HelpDialog";
import { HistoryPanel } from "../panels/HistoryPanel";
import { NodeLibraryPanel } from "../panels/NodeLibraryPanel";
import { OpenWorkflowDialog } from "../dialogs/OpenWorkflowDialog";
import { QuickAdd } from "../panels/QuickAdd";
import { SaveAsDialog } from "../dialogs/SaveAsDialog";
import { SettingsDialog } from "../dialogs/SettingsDialog";
import { StatusPanel } from "../panels/StatusPanel";
import { Issues, Toasts } from "../panels/Toasts";
import { Toolbar } from "../panels/Toolbar";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { Canvas } from "./Canvas";
import { ContextMenu } from "./ContextMenu";
import { canvasPointer, hoveredNode } from "./canvasPointer";
import { useEditorActions } from "./useEditorActions";
import { useFitGraph } from "./useFitGraph";

function EditorInner() {
  useSchema();
  useAutosave();
  useWorkflowDirty();
  useLiveIssues();
  const colorMode = useTheme();
  const wrapper = useRef<HTMLDivElement>(null);
  const actions = useEditorActions(wrapper);
  const fitGraph = useFitGraph(wrapper);
  const { run, runGraph, stop, phase } = useExecution();
  const { screenToFlowPosition, zoomTo } = useReactFlow();
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

  // Partial runs: to the node under the pointer, or to the selected nodes.
  const runToHere = useCallback(() => {
    // (Not a node of a canvas left behind: opening a subgraph or going back swaps the nodes under the pointer.)
    const hovered = hoveredNode.current;
    if (hovered && useGraphStore.getState().nodes.some((n) => n.id === hovered)) void run([hovered]);
    else useUiStore.getState().toast("Point at a node to run to it", "error");
  }, [run]);
  const runSelected = useCallback(() => {
    void run(useGraphStore.getState().nodes.filter((n) => n.selected).map((n) => n.id));
  }, [run]);
  const runTo = useCallback((targets: string[]) => void run(targets), [run]);

  // "/" opens quick-add at the pointer when it is over the canvas, else in the middle.
  const openQuickAdd = useCallback(() => {
    const rect = wrapper.current?.getBoundingClientRect();
    const point = canvasPointer.current ?? (rect ? { x: rect.left + rect.width / 2, y: rect.top + rect.height / 3 } : { x: 300, y: 200 });
    setQuickAdd({ ...point, flow: screenToFlowPosition(point) });
  }, [setQuickAdd, screenToFlowPosition]);

  useShortcuts({
    undo,
    redo,
    copy: actions.copy,
    paste: actions.paste,
    duplicate: actions.duplicate,
    selectAll: actions.selectAll,
    execute: () => void run(),
    runToHere,
    runSelected,
    save: () => void save(),
    quickAdd: openQuickAdd,
    help: () => setDialog("help"),
    newWorkflow: () => void newWorkflow(),
    fitView: () => fitGraph(),
    zoom100: () => void zoomTo(1, { duration: 200 }),
  });

  const pickQuickAdd = useCallback(
    (payload: DragPayload) => {
      if (quickAdd) actions.addAt(payload, quickAdd.flow, quickAdd.wire);
      setQuickAdd(null);
    },
    [actions, quickAdd, setQuickAdd],
  );
  const closeDialog = useCallback(() => setDialog(null), [setDialog]);
  const edit: EditActions = useMemo(
    () => ({ undo, redo, copy: actions.copy, paste: actions.paste, duplicate: actions.duplicate, selectAll: actions.selectAll, remove: actions.remove, group: actions.group, openSubgraph: actions.openSubgraph }),
    [undo, redo, actions],
  );
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
        onNew={() => void newWorkflow()}
        onClear={actions.clear}
        onOpen={() => setDialog("open")}
        onSave={() => void save()}
        onSaveAs={() => setDialog("saveAs")}
        historyOpen={historyOpen}
        onHistory={() => setHistoryOpen(!historyOpen)}
        onSettings={() => setDialog("settings")}
        onHelp={() => setDialog("help")}
        edit={edit}
      />
      <div className={`psy-main${historyOpen ? " psy-main--history" : ""}`}>
        <NodeLibraryPanel onAdd={actions.addInMiddle} />
        <div className="psy-stage">
          <Canvas wrapper={wrapper} onAddAt={actions.addAt} onInsertList={actions.insertList} colorMode={colorMode} />
          <Breadcrumb />
          <Issues onFocus={actions.focusNode} />
          <Toasts />
        </div>
        {historyOpen ? <HistoryPanel onRerun={runGraph} onClose={closeHistory} /> : null}
        <StatusPanel onFocusNode={actions.focusNode} />
      </div>
      {quickAdd ? <QuickAdd at={quickAdd} onPick={pickQuickAdd} onClose={() => setQuickAdd(null)} /> : null}
      {dialog === "settings" ? <SettingsDialog onClose={closeDialog} /> : null}
      {dialog === "help" ? <HelpDialog onClose={closeDialog} /> : null}
      {dialog === "open" ? <OpenWorkflowDialog onClose={closeDialog} /> : null}
      {dialog === "saveAs" ? <SaveAsDialog onClose={closeDialog} /> : null}
      {dialog === "group" ? <GroupDialog onClose={closeDialog} /> : null}
      <ContextMenu actions={edit} running={isGoing(phase)} onRun={runTo} />
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
