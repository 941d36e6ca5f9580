// The top bar: run controls, history, workflow files, settings and help.
import { memo, useRef } from "react";
import type { RunPhase } from "../store/runStore";

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
  onSettings: () => void;
  onHelp: () => void;
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
        <button type="button" className="psy-button psy-button--ghost" data-testid="export-button" onClick={props.onExport} title="Export (Ctrl+S)">
          Export
        </button>
        <button type="button" className="psy-button psy-button--ghost" data-testid="clear-button" onClick={props.onClear}>
          Clear
        </button>
      </div>
      <div className="psy-toolbar__spacer" />
      <div className="psy-toolbar__group">
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
