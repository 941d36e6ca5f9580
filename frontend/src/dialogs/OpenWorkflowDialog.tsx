// Open: the saved workflows (name, last saved, versions); picking one lists
// its versions, newest first, each to open or restore; Delete asks first.
import { useCallback, useEffect, useState } from "react";
import type { WorkflowSummary, WorkflowVersion } from "../api/types";
import { listVersions, listWorkflows } from "../api/workflows";
import { openWorkflow, removeWorkflow, restoreWorkflow } from "../actions/workflowActions";
import { formatTime } from "../lib/format";
import { useUiStore } from "../store/uiStore";
import { useWorkflowStore } from "../store/workflowStore";
import { Dialog } from "./Dialog";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One workflow's versions; its parent keys it by name and reload, so each starts out loading. */
function Versions({ name, busy, onOpen, onRestore }: {
  name: string;
  busy: boolean;
  onOpen: (version: number) => void;
  onRestore: (version: number) => void;
}) {
  const [versions, setVersions] = useState<WorkflowVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    listVersions(name, abort.signal)
      .then(setVersions)
      .catch((failure) => {
        if (abort.signal.aborted) return;
        setError(message(failure));
        useUiStore.getState().toast(`Versions of '${name}': ${message(failure)}`, "error");
      });
    return () => abort.abort();
  }, [name]);

  return (
    <section className="psy-open__versions" aria-label={`Versions of ${name}`} data-testid="version-list">
      <h3 className="psy-open__heading">Versions of {name}</h3>
      {error ? <p className="psy-form__error">{error}</p> : null}
      {versions === null && !error ? <p className="psy-muted psy-small">Loading…</p> : null}
      {versions && versions.length === 0 ? <p className="psy-muted psy-small">No versions.</p> : null}
      <ol className="psy-open__list">
        {versions?.map((v, index) => (
          <li key={v.version} className="psy-open__version" data-testid="version-item" data-version={v.version}>
            <span className="psy-open__vnum">v{v.version}</span>
            <span className="psy-muted psy-small psy-open__when">
              {formatTime(v.updated)}
              {index === 0 ? " · latest" : ""}
            </span>
            <span className="psy-open__actions">
              <button
                type="button"
                className="psy-button psy-button--small"
                aria-label={`Open version ${v.version}`}
                data-testid="version-open"
                disabled={busy}
                onClick={() => onOpen(v.version)}
              >
                Open
              </button>
              {index > 0 ? (
                <button
                  type="button"
                  className="psy-button psy-button--small"
                  aria-label={`Restore version ${v.version}`}
                  title="Save this version again as the newest, then open it"
                  data-testid="version-restore"
                  disabled={busy}
                  onClick={() => onRestore(v.version)}
                >
                  Restore
                </button>
              ) : null}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function OpenWorkflowDialog({ onClose }: { onClose: () => void }) {
  const openName = useWorkflowStore((s) => s.name);
  const busy = useWorkflowStore((s) => s.busy);
  const [workflows, setWorkflows] = useState<WorkflowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(openName);
  const [reloadKey, setReloadKey] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    listWorkflows(abort.signal)
      .then((all) => {
        setWorkflows(all);
        setError(null);
        setSelected((name) => (name && all.some((w) => w.name === name) ? name : null));
      })
      .catch((failure) => {
        if (abort.signal.aborted) return;
        setError(message(failure));
        useUiStore.getState().toast(`Saved workflows: ${message(failure)}`, "error");
      });
    return () => abort.abort();
  }, [reloadKey]);

  const open = useCallback(
    async (name: string, version?: number) => {
      if (await openWorkflow(name, version)) onClose();
    },
    [onClose],
  );
  const restore = useCallback(
    async (name: string, version: number) => {
      if (await restoreWorkflow(name, version)) onClose();
    },
    [onClose],
  );
  const remove = useCallback(async (name: string) => {
    if (await removeWorkflow(name)) {
      setSelected((current) => (current === name ? null : current));
      setReloadKey((k) => k + 1);
    }
  }, []);

  return (
    <Dialog title="Open workflow" onClose={onClose} testId="open-dialog" wide>
      {error ? (
        <p className="psy-form__error" role="alert">
          {error}
        </p>
      ) : null}
      {workflows === null && !error ? <p className="psy-muted">Loading…</p> : null}
      {workflows && workflows.length === 0 ? (
        <p className="psy-muted" data-testid="open-empty">
          No saved workflows yet. Save the canvas (Ctrl/⌘ + S) to keep it on the server.
        </p>
      ) : null}
      {workflows && workflows.length > 0 ? (
        <div className="psy-open">
          <ul className="psy-open__list psy-open__workflows" aria-label="Saved workflows">
            {workflows.map((w) => (
              <li
                key={w.name}
                className={`psy-open__workflow${selected === w.name ? " is-selected" : ""}`}
                data-testid="workflow-item"
                data-name={w.name}
              >
                <button
                  type="button"
                  className="psy-open__pick"
                  aria-pressed={selected === w.name}
                  aria-label={`Show versions of ${w.name}`}
                  data-testid="workflow-select"
                  onClick={() => setSelected(w.name)}
                  onDoubleClick={() => void open(w.name)}
                >
                  <span className="psy-open__name">
                    {w.name}
                    {w.name === openName ? <span className="psy-badge psy-badge--open">open</span> : null}
                  </span>
                  <span className="psy-muted psy-small">
                    {formatTime(w.updated)} · <span data-testid="workflow-versions">{w.versions}</span> version{w.versions === 1 ? "" : "s"}
                  </span>
                </button>
                <span className="psy-open__actions">
                  <button
                    type="button"
                    className="psy-button psy-button--small"
                    aria-label={`Open ${w.name}`}
                    data-testid="workflow-open"
                    disabled={busy}
                    onClick={() => void open(w.name)}
                  >
                    Open
                  </button>
                  <button
                    type="button"
                    className="psy-button psy-button--small psy-button--danger"
                    aria-label={`Delete ${w.name}`}
                    data-testid="workflow-delete"
                    disabled={busy}
                    onClick={() => void remove(w.name)}
                  >
                    Delete
                  </button>
                </span>
              </li>
            ))}
          </ul>
          {selected ? (
            <Versions
              key={`${reloadKey}:${selected}`}
              name={selected}
              busy={busy}
              onOpen={(version) => void open(selected, version)}
              onRestore={(version) => void restore(selected, version)}
            />
          ) : (
            <p className="psy-open__versions psy-muted psy-small">Pick a workflow to see its versions.</p>
          )}
        </div>
      ) : null}
    </Dialog>
  );
}
