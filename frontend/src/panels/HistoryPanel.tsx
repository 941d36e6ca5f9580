// Past runs, newest first: status, workflow, start, duration, node count.
// Picking one shows its node cards (and its views on the canvas when it is
// the open workflow); Re-run runs that run's own graph again, Open in editor
// puts that graph on the canvas.
import { memo, useMemo } from "react";
import type { GraphRequest, RunDetail, RunSummary } from "../api/types";
import { openRunInEditor, refreshHistory, rerun, selectRun } from "../actions/historyActions";
import { useHistoryRefresh } from "../hooks/useHistoryRefresh";
import { formatDuration, formatTime } from "../lib/format";
import { entriesFromDetail } from "../lib/runRecord";
import { statusLabel } from "../lib/runStatus";
import { ValueView } from "../nodes/ValueView";
import { useHistoryStore } from "../store/historyStore";
import { useRunStore, type DetachedRun } from "../store/runStore";
import { useWorkflowStore } from "../store/workflowStore";
import { StatusCards } from "./StatusCards";

type RunGraphNow = (request: GraphRequest, detached: DetachedRun | null) => Promise<void>;

function StatusBadge({ status }: { status: RunSummary["status"] }) {
  return (
    <span className={`psy-phase psy-phase--${status === ("error" as string) ? "failed" : status}`} data-testid="history-run-status">
      {statusLabel(status)}
    </span>
  );
}

function RunRow({ run, selected }: { run: RunSummary; selected: boolean }) {
  const nodes = run.node_count ?? 0;
  return (
    <li>
      <button
        type="button"
        className={`psy-run${selected ? " is-selected" : ""}`}
        aria-pressed={selected}
        aria-label={`Run ${run.run_id}: ${statusLabel(run.status)}, ${run.workflow ?? "unsaved graph"}`}
        data-testid="history-run"
        data-run-id={run.run_id}
        data-status={run.status}
        data-workflow={run.workflow ?? ""}
        onClick={() => void selectRun(run.run_id)}
      >
        <span className="psy-run__top">
          <StatusBadge status={run.status} />
          <span className={`psy-run__name${run.workflow ? "" : " psy-muted"}`} data-testid="history-run-workflow">
            {run.workflow ?? "unsaved graph"}
          </span>
        </span>
        <span className="psy-run__meta psy-small psy-muted">
          <span data-testid="history-run-started">{formatTime(run.started_at)}</span>
          <span data-testid="history-run-duration">{formatDuration(run.duration_ms)}</span>
          <span data-testid="history-run-nodes">
            {nodes} node{nodes === 1 ? "" : "s"}
          </span>
        </span>
      </button>
    </li>
  );
}

function RunDetailView({ detail, onCanvas, running, onRerun }: { detail: RunDetail; onCanvas: boolean; running: boolean; onRerun: () => void }) {
  const entries = useMemo(() => entriesFromDetail(detail), [detail]);
  const views = Object.entries(detail.results ?? {});
  return (
    <section className="psy-history__detail" aria-label={`Run ${detail.run_id}`} data-testid="history-detail" data-run-id={detail.run_id} data-on-canvas={onCanvas}>
      <div className="psy-history__detail-head">
        <StatusBadge status={detail.status} />
        <span className="psy-run__name">{detail.workflow ?? "unsaved graph"}</span>
      </div>
      <div className="psy-history__actions">
        <button
          type="button"
          className="psy-button psy-button--small psy-button--primary-soft"
          data-testid="rerun-button"
          disabled={running || detail.status === "running"}
          title="Run this run's own graph again, as it ran (the canvas is left as it is)"
          onClick={onRerun}
        >
          ↻ Re-run
        </button>
        <button
          type="button"
          className="psy-button psy-button--small"
          data-testid="open-run-button"
          disabled={running}
          title="Put this run's graph on the canvas, with its results"
          onClick={() => void openRunInEditor(detail)}
        >
          Open in editor
        </button>
      </div>
      <div className="psy-small psy-muted psy-history__facts">
        <span>{formatTime(detail.started_at)}</span>
        <span data-testid="history-detail-duration">{formatDuration(detail.duration_ms)}</span>
        <span className="psy-mono" title="Run id">
          {detail.run_id}
        </span>
      </div>
      {onCanvas ? <p className="psy-small psy-history__note">Its view values are shown on the canvas.</p> : null}
      {detail.error && detail.status === "failed" ? <p className="psy-form__error">{detail.error}</p> : null}
      {entries.length > 0 ? (
        <StatusCards entries={entries} testId="history-cards" />
      ) : (
        <p className="psy-muted psy-small">The server kept no node details for this run.</p>
      )}
      {!onCanvas && views.length > 0 ? (
        <div className="psy-history__views" data-testid="history-views">
          <div className="psy-card__label">View values</div>
          {views.map(([id, value]) => (
            <div key={id} className="psy-history__view" data-view-id={id}>
              <span className="psy-card__id">{id}</span>
              <ValueView value={value} className="psy-card__code" />
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}

function HistoryPanelImpl({ onRerun, onClose }: { onRerun: RunGraphNow; onClose: () => void }) {
  useHistoryRefresh();
  const runs = useHistoryStore((s) => s.runs);
  const loading = useHistoryStore((s) => s.loading);
  const error = useHistoryStore((s) => s.error);
  const onlyOpen = useHistoryStore((s) => s.onlyOpen);
  const setOnlyOpen = useHistoryStore((s) => s.setOnlyOpen);
  const selectedId = useHistoryStore((s) => s.selectedId);
  const detail = useHistoryStore((s) => s.detail);
  const detailLoading = useHistoryStore((s) => s.detailLoading);
  const onCanvas = useHistoryStore((s) => s.onCanvas);
  const name = useWorkflowStore((s) => s.name);
  const phase = useRunStore((s) => s.phase);
  const running = phase === "running" || phase === "stopping";
  const shown = detail && detail.run_id === selectedId ? detail : null;

  return (
    <aside className="psy-history" aria-label="Run history" data-testid="history-panel" aria-busy={loading}>
      <div className="psy-panel__header">
        <h2 className="psy-panel__title">History</h2>
        <span className="psy-history__tools">
          <button type="button" className="psy-icon-button" aria-label="Refresh history" title="Refresh" data-testid="history-refresh" onClick={() => void refreshHistory()}>
            ⟳
          </button>
          <button type="button" className="psy-icon-button" aria-label="Close history" onClick={onClose}>
            ✕
          </button>
        </span>
      </div>
      <label className={`psy-history__filter psy-small${name ? "" : " psy-muted"}`}>
        <input
          type="checkbox"
          checked={onlyOpen && !!name}
          disabled={!name}
          data-testid="history-only-open"
          onChange={(event) => setOnlyOpen(event.target.checked)}
        />
        <span className="psy-history__filter-text">Only runs of {name ? <strong>{name}</strong> : "the open workflow"}</span>
      </label>
      <div className="psy-history__runs">
        {error ? <p className="psy-form__error psy-history__pad">{error}</p> : null}
        {!error && runs.length === 0 ? <p className="psy-muted psy-small psy-history__pad">{loading ? "Loading…" : "No runs yet."}</p> : null}
        <ol className="psy-history__list" aria-label="Past runs" data-testid="history-runs">
          {runs.map((run) => (
            <RunRow key={run.run_id} run={run} selected={run.run_id === selectedId} />
          ))}
        </ol>
      </div>
      {selectedId ? (
        <div className="psy-history__detail-wrap">
          {shown ? (
            <RunDetailView detail={shown} onCanvas={onCanvas} running={running} onRerun={() => void rerun(shown, onRerun)} />
          ) : detailLoading ? (
            <p className="psy-muted psy-small psy-history__pad">Loading run…</p>
          ) : null}
        </div>
      ) : null}
    </aside>
  );
}

export const HistoryPanel = memo(HistoryPanelImpl);
