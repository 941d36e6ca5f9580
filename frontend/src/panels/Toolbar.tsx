// The top bar: run controls, history, workflow files, settings and help.
import { memo, useRef } from "react";
import type { RunPhase } from "../store/runStore";
import { useWorkflowStore } from "../store/workflowStore";

export interface ToolbarProps {
  phase: RunPhase;
  canUndo: boolean;
  canRedo: boolean;
  onExecute: () => void;
  onStop: () => void;
  onUndo: () => void;
  onRedo: () => void;
  onExport: () => void;
  onImport: (file: File) => void;
  onClear: () => void;
  onOpen: () => void;
  onSave: () => void;
  onSaveAs: () => void;
  historyOpen: boolean;
  onHistory: () => void;
  onSettings: () => void;
  onHelp: () => void;
}

/** The open workflow's name and version, with a dot while it has unsaved changes. */
function WorkflowTitle() {
  const name = useWorkflowStore((s) => s.name);
  const version = useWorkflowStore((s) => s.version);
  const dirty = useWorkflowStore((s) => s.dirty);
  const label = `${name ? `Workflow ${name}${version !== null ? `, version ${version}` : ""}` : "Untitled workflow"}${dirty ? ", unsaved changes" : ""}`;
  return (
    <div className="psy-workflow-title" data-testid="workflow-title" data-dirty={dirty} aria-label={label} title={label} role="status">
      <span className={`psy-workflow-title__name${name ? "" : " psy-muted"}`} data-testid="workflow-name">
        {name ?? "Untitled"}
      </span>
      {name && version !== null ? (
        <span className="psy-workflow-title__version" data-testid="workflow-version">
          v{version}
        </span>
      ) : null}
      {dirty ? (
        <span className="psy-workflow-title__dirty" data-testid="dirty-marker" aria-hidden="true">
          ●
        </span>
      ) : null}
    </div>
  );
}

function ToolbarImpl(props: ToolbarProps) {
  const file = useRef<HTMLInputElement>(null);
  const running = props.phase === "running" || props.phase === "stopping";
  return (
    <header className="psy-toolbar">
      <div className="psy-brand">
        <span className="psy-brand__mark" aria-hidden="true" />
        Psynapse
      </div>
      <WorkflowTitle />
      <div className="psy-toolbar__group">
        <button type="button" className="psy-button psy-button--ghost" data-testid="open-button" aria-label="Open workflow" onClick={props.onOpen} title="Open a saved workflow">
          Open
        </button>
        <button type="button" className="psy-button psy-button--ghost" data-testid="save-button" aria-label="Save workflow" onClick={props.onSave} title="Save (Ctrl+S)">
          Save
        </button>
        <button type="button" className="psy-button psy-button--ghost" data-testid="save-as-button" aria-label="Save workflow as" onClick={props.onSaveAs} title="Save under a new name">
          Save as
        </button>
      </div>
      <div className="psy-toolbar__group">
        <button
          type="button"
          className="psy-button psy-button--primary"
          data-testid="execute-button"
          disabled={running}
          onClick={props.onExecute}
          title="Execute (Ctrl+Enter)"
        >
          {running ? <span className="psy-spinner psy-spinner--light" /> : <span aria-hidden="true">▶</span>}
          {running ? "Running…" : "Execute"}
        </button>
        <button
          type="button"
          className="psy-button psy-button--danger"
          data-testid="stop-button"
          disabled={!running || props.phase === "stopping"}
          onClick={props.onStop}
          title="Stop the run on the server"
        >
          <span aria-hidden="true">■</span> Stop
        </button>
      </div>
      <div className="psy-toolbar__group">
        <button type="button" className="psy-button psy-button--ghost" data-testid="undo-button" disabled={!props.canUndo} onClick={props.onUndo} title="Undo (Ctrl+Z)">
          ↶ Undo
        </button>
        <button type="button" className="psy-button psy-button--ghost" data-testid="redo-button" disabled={!props.canRedo} onClick={props.onRedo} title="Redo (Ctrl+Shift+Z)">
          ↷ Redo
        </button>
      </div>
      <div className="psy-toolbar__group">
        <button type="button" className="psy-button psy-button--ghost" data-testid="import-button" onClick={() => file.current?.click()}>
          Import
        </button>
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          className="psy-hidden-input"
          data-testid="import-input"
          onChange={(event) => {
            const picked = event.target.files?.[0];
            if (picked) props.onImport(picked);
            event.target.value = "";
          }}
        />
        <button type="button" className="psy-button psy-button--ghost" data-testid="export-button" onClick={props.onExport} title="Download as a JSON file">
          Export
        </button>
        <button type="button" className="psy-button psy-button--ghost" data-testid="clear-button" onClick={props.onClear}>
          Clear
        </button>
      </div>
      <div className="psy-toolbar__spacer" />
      <div className="psy-toolbar__group">
        <button
          type="button"
          className={`psy-button psy-button--ghost${props.historyOpen ? " is-active" : ""}`}
          data-testid="history-button"
          aria-pressed={props.historyOpen}
          onClick={props.onHistory}
          title="Past runs"
        >
          History
        </button>
        <button type="button" className="psy-button psy-button--ghost" data-testid="settings-button" onClick={props.onSettings}>
          ⚙ Settings
        </button>
        <button type="button" className="psy-button psy-button--ghost psy-button--round" data-testid="help-button" onClick={props.onHelp} title="Keyboard shortcuts (?)">
          ?
        </button>
      </div>
    </header>
  );
}

export const Toolbar = memo(ToolbarImpl);
