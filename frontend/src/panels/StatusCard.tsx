// One node of a run in the status panel: failures in red with their traceback,
// nodes that never ran (skipped, cancelled) in a neutral grey, streamed text kept;
// the nodes that ran inside a subgraph, map or loop folded under its card.
import { memo, useState } from "react";
import { formatDuration } from "../lib/format";
import { innerSummary } from "../lib/nestedRun";
import { attemptsText, notRunText, percentOf, type NodeDisplay } from "../lib/runStatus";
import { RetryLine, StreamBox, Traceback } from "../nodes/NodeRunInfo";
import { ValueView } from "../nodes/ValueView";
import { entryDisplay, type StatusEntry } from "../store/runStore";

function StatusIcon({ display, untaken }: { display: NodeDisplay; untaken: boolean }) {
  if (display === "completed") return <span className="psy-status-icon psy-status-icon--ok" aria-label="completed">✓</span>;
  if (display === "error") return <span className="psy-status-icon psy-status-icon--error" aria-label="failed">✕</span>;
  if (display === "skipped") return <span className="psy-status-icon psy-status-icon--neutral" aria-label={untaken ? "skipped" : "not run"}>–</span>;
  if (display === "cancelled") return <span className="psy-status-icon psy-status-icon--neutral" aria-label="cancelled">■</span>;
  return <span className="psy-spinner" aria-label={display} />;
}

/** The cards of the nodes that ran inside a subgraph, map or loop, folded under its card. */
function InnerCards({ inner, parent, onFocus }: { inner: StatusEntry[]; parent: string; onFocus?: (nodeId: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="psy-card__inner">
      <button type="button" className="psy-card__toggle" aria-expanded={open} data-testid="status-inner-toggle" onClick={() => setOpen((o) => !o)}>
        {open ? "▾" : "▸"} <span data-testid="status-inner-summary">{innerSummary(inner)}</span>
      </button>
      {open ? (
        <ol className="psy-card__inner-list" data-testid="status-inner">
          {inner.map((entry) => (
            <StatusCard key={entry.key} entry={entry} onFocus={onFocus} within={parent} />
          ))}
        </ol>
      ) : null}
    </div>
  );
}

export interface StatusCardProps {
  entry: StatusEntry;
  onFocus?: (nodeId: string) => void;
  /** The nodes that ran inside it (a subgraph, map or loop). */
  inner?: StatusEntry[];
  /** The canvas node this card's node ran inside: its id is shown from there, and focusing shows that node. */
  within?: string;
}

function StatusCardImpl({ entry, onFocus, inner, within }: StatusCardProps) {
  const [showInputs, setShowInputs] = useState(false);
  const shownId = entry.node_id && within ? entry.node_id.slice(within.length + 1) : entry.node_id;
  const focusId = within ?? entry.node_id;
  const display = entryDisplay(entry);
  const inputs = entry.inputs ? Object.keys(entry.inputs) : [];
  const percent = percentOf(entry.progress);
  const running = display === "executing" || display === "progress" || display === "streaming";
  const notRun = entry.node_id ? notRunText(display, entry.error, entry.status) : null;
  const attempts = attemptsText(entry);
  return (
    <li
      className={`psy-card psy-card--${display}`}
      data-testid="status-item"
      data-node-id={entry.node_id ?? ""}
      data-status={display}
      data-cached={entry.cached ? "true" : undefined}
      data-skip={entry.status === "skipped" ? "untaken" : undefined}
    >
      <div className="psy-card__head">
        <span className="psy-card__badge">{entry.node_number ?? "!"}</span>
        <button
          type="button"
          className="psy-card__name"
          title={focusId ? `Show ${focusId} on the canvas` : undefined}
          onClick={() => focusId && onFocus?.(focusId)}
        >
          {entry.node_name}
        </button>
        {shownId ? <span className="psy-card__id">{shownId}</span> : null}
        <span className="psy-card__end">
          {entry.cached && display === "completed" ? (
            <span className="psy-badge psy-badge--cached" data-testid="cached-badge" title="Output reused from the cache">
              cached
            </span>
          ) : null}
          {entry.duration_ms != null ? (
            <span className="psy-card__duration" data-testid="status-duration">
              {formatDuration(entry.duration_ms)}
            </span>
          ) : null}
          <StatusIcon display={display} untaken={entry.status === "skipped"} />
        </span>
      </div>
      {percent !== null && display !== "error" && display !== "skipped" ? (
        <div className="psy-card__progress" data-testid="status-progress" data-percent={percent}>
          <div className="psy-progress">
            <div className="psy-progress__bar" style={{ width: `${percent}%` }} />
          </div>
          <div className="psy-card__progress-text">
            <span className="psy-card__percent">{percent}%</span>
            <span className="psy-card__message">{entry.progress_message}</span>
          </div>
        </div>
      ) : null}
      {display === "retrying" && entry.retry ? <RetryLine retry={entry.retry} testId="status-retrying" /> : null}
      {entry.streaming_text !== undefined && display !== "completed" ? <StreamBox text={entry.streaming_text} live={running} testId="status-stream" /> : null}
      {inputs.length > 0 ? (
        <div className="psy-card__section">
          <button type="button" className="psy-card__toggle" aria-expanded={showInputs} onClick={() => setShowInputs((s) => !s)}>
            {showInputs ? "▾" : "▸"} Inputs ({inputs.length})
          </button>
          {showInputs ? <ValueView value={entry.inputs} className="psy-card__code" testId="status-inputs" /> : null}
        </div>
      ) : null}
      {display === "completed" && entry.hasOutput ? (
        <div className="psy-card__section">
          <div className="psy-card__label">Output</div>
          <ValueView value={entry.output} className="psy-card__code" testId="status-output" />
        </div>
      ) : null}
      {display === "error" ? (
        <div className="psy-card__section">
          <div className="psy-card__label psy-card__label--error">Error</div>
          <pre className="psy-card__code psy-card__code--error" data-testid="status-error">{entry.error}</pre>
          {entry.traceback ? <Traceback text={entry.traceback} testId="status-traceback" /> : null}
        </div>
      ) : null}
      {notRun ? (
        <div className="psy-card__note" data-testid="status-not-run">
          {notRun}
        </div>
      ) : null}
      {attempts ? (
        <div className="psy-card__note" data-testid="status-attempts">
          {attempts}
        </div>
      ) : null}
      {inner && inner.length > 0 && entry.node_id ? <InnerCards inner={inner} parent={entry.node_id} onFocus={onFocus} /> : null}
    </li>
  );
}

export const StatusCard = memo(StatusCardImpl);
