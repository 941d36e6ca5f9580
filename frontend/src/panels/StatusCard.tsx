// One node of a run in the status panel.
import { memo, useLayoutEffect, useRef, useState } from "react";
import { formatDuration } from "../lib/format";
import type { StatusEntry } from "../store/runStore";

export function pretty(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

const LIMIT = 20000;
function clip(text: string): string {
  return text.length > LIMIT ? `${text.slice(0, LIMIT)}\n… (${text.length - LIMIT} more characters)` : text;
}

function StatusIcon({ status }: { status: StatusEntry["status"] }) {
  if (status === "completed") return <span className="psy-status-icon psy-status-icon--ok" aria-label="completed">✓</span>;
  if (status === "error") return <span className="psy-status-icon psy-status-icon--error" aria-label="error">✕</span>;
  return <span className="psy-spinner" aria-label={status} />;
}

function StreamText({ text }: { text: string }) {
  const ref = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [text]);
  return (
    <pre ref={ref} className="psy-card__stream" data-testid="status-stream">
      {text}
      <span className="psy-caret" />
    </pre>
  );
}

function StatusCardImpl({ entry, onFocus }: { entry: StatusEntry; onFocus?: (nodeId: string) => void }) {
  const [showInputs, setShowInputs] = useState(false);
  const inputs = entry.inputs ? Object.keys(entry.inputs) : [];
  const percent = entry.progress !== undefined ? Math.round(Math.min(1, Math.max(0, entry.progress)) * 100) : null;
  const running = entry.status !== "completed" && entry.status !== "error";
  return (
    <li
      className={`psy-card psy-card--${entry.status}`}
      data-testid="status-item"
      data-node-id={entry.node_id ?? ""}
      data-status={entry.status}
      data-cached={entry.cached ? "true" : undefined}
    >
      <div className="psy-card__head">
        <span className="psy-card__badge">{entry.node_number ?? "!"}</span>
        <button
          type="button"
          className="psy-card__name"
          title={entry.node_id ? `Show ${entry.node_id} on the canvas` : undefined}
          onClick={() => entry.node_id && onFocus?.(entry.node_id)}
        >
          {entry.node_name}
        </button>
        {entry.node_id ? <span className="psy-card__id">{entry.node_id}</span> : null}
        <span className="psy-card__end">
          {entry.cached && entry.status === "completed" ? (
            <span className="psy-badge psy-badge--cached" data-testid="cached-badge" title="Output reused from the cache">
              cached
            </span>
          ) : null}
          {entry.duration_ms != null ? (
            <span className="psy-card__duration" data-testid="status-duration">
              {formatDuration(entry.duration_ms)}
            </span>
          ) : null}
          <StatusIcon status={entry.status} />
        </span>
      </div>
      {percent !== null && (running || entry.status === "completed") ? (
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
      {entry.streaming_text !== undefined && running ? <StreamText text={entry.streaming_text} /> : null}
      {inputs.length > 0 ? (
        <div className="psy-card__section">
          <button type="button" className="psy-card__toggle" aria-expanded={showInputs} onClick={() => setShowInputs((s) => !s)}>
            {showInputs ? "▾" : "▸"} Inputs ({inputs.length})
          </button>
          {showInputs ? <pre className="psy-card__code" data-testid="status-inputs">{clip(pretty(entry.inputs))}</pre> : null}
        </div>
      ) : null}
      {entry.status === "completed" && entry.hasOutput ? (
        <div className="psy-card__section">
          <div className="psy-card__label">Output</div>
          <pre className="psy-card__code" data-testid="status-output">{clip(pretty(entry.output))}</pre>
        </div>
      ) : null}
      {entry.status === "error" ? (
        <div className="psy-card__section">
          <div className="psy-card__label psy-card__label--error">Error</div>
          <pre className="psy-card__code psy-card__code--error" data-testid="status-error">{entry.error}</pre>
        </div>
      ) : null}
    </li>
  );
}

export const StatusCard = memo(StatusCardImpl);
