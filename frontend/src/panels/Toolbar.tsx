// The top bar: the open workflow's name, workflow files, run controls, undo,
// history, the theme, settings and help. It fits while a run goes: the run
// button keeps its width and the right-hand group never leaves the screen.
import { memo, useRef } from "react";
import type { RunPhase } from "../lib/runStatus";
import { useUiStore, type Theme } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import type { EditActions } from "./editCommands";
import { EditMenu } from "./EditMenu";
import { ToolbarMenu } from "./ToolbarMenu";

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
  onNew: () => void;
  onClear: () => void;
  onOpen: () => void;
  onSave: () => void;
  onSaveAs: () => void;
  historyOpen: boolean;
  onHistory: () => void;
  onSettings: () => void;
  onHelp: () => void;
  edit: EditActions;
}

/** The open workflow's name (whole), its version, and a dot while it has unsaved changes. */
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

const THEMES: Theme[] = ["system", "light", "dark"];
const THEME_ICON: Record<Theme, string> = { system: "◐", light: "☀", dark: "☾" };

function ThemeSwitch() {
  const theme = useUiStore((s) => s.theme);
  const setTheme = useUiStore((s) => s.setTheme);
  const next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
  return (
    <button
      type="button"
      className="psy-button psy-button--ghost psy-button--icon"
      data-testid="theme-button"
      data-theme-choice={theme}
      aria-label={`Theme: ${theme}. Switch to ${next}`}
      title={`Theme: ${theme} (click for ${next})`}
      onClick={() => setTheme(next)}
    >
      {THEME_ICON[theme]}
    </button>
  );
}

function ToolbarImpl(props: ToolbarProps) {
  const file = useRef<HTMLInputElement>(null);
  const running = props.phase === "running" || props.phase === "stopping";
  return (
    <header className="psy-toolbar">
      <div className="psy-toolbar__start">
        <div className="psy-brand">
          <span className="psy-brand__mark" aria-hidden="true" />
          <span className="psy-brand__name">Psynapse</span>
        </div>
        <WorkflowTitle />
        <div className="psy-toolbar__group">
          <button type="button" className="psy-button psy-button--ghost" data-testid="new-button" aria-label="New workflow" onClick={props.onNew} title="A new, empty workflow (Alt+N)">
            New
          </button>
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
            className="psy-button psy-button--primary psy-button--run"
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
          <EditMenu actions={props.edit} canUndo={props.canUndo} canRedo={props.canRedo} />
          <button type="button" className="psy-button psy-button--ghost psy-button--icon" data-testid="undo-button" aria-label="Undo" disabled={!props.canUndo} onClick={props.onUndo} title="Undo (Ctrl+Z)">
            ↶
          </button>
          <button type="button" className="psy-button psy-button--ghost psy-button--icon" data-testid="redo-button" aria-label="Redo" disabled={!props.canRedo} onClick={props.onRedo} title="Redo (Ctrl+Shift+Z)">
            ↷
          </button>
        </div>
      </div>
      <div className="psy-toolbar__end">
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
        <ToolbarMenu
          items={[
            { label: "Import…", testId: "import-button", hint: "a workflow file", onSelect: () => file.current?.click() },
            { label: "Export", testId: "export-button", hint: "download as JSON", onSelect: props.onExport },
            { label: "Clear canvas…", testId: "clear-button", hint: "asks first", danger: true, onSelect: props.onClear },
          ]}
        >
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
        </ToolbarMenu>
        <ThemeSwitch />
        <button type="button" className="psy-button psy-button--ghost psy-button--icon" data-testid="settings-button" aria-label="Settings" onClick={props.onSettings} title="Settings: env vars for runs">
          ⚙
        </button>
        <button type="button" className="psy-button psy-button--ghost psy-button--round" data-testid="help-button" aria-label="Keyboard shortcuts" onClick={props.onHelp} title="Keyboard shortcuts (?)">
          ?
        </button>
      </div>
    </header>
  );
}

export const Toolbar = memo(ToolbarImpl);
