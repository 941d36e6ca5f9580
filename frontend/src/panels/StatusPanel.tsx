// Live run status: one card per node in execution order; follows the newest
// card unless the user has scrolled up.
import { memo, useLayoutEffect, useRef } from "react";
import { useRunStore } from "../store/runStore";
import { StatusCard } from "./StatusCard";

export const PHASE_LABEL: Record<string, string> = {
  idle: "Idle",
  running: "Running",
  stopping: "Stopping…",
  done: "Done",
  error: "Failed",
  cancelled: "Stopped",
};

function StatusPanelImpl({ onFocusNode }: { onFocusNode?: (nodeId: string) => void }) {
  const entries = useRunStore((s) => s.entries);
  const phase = useRunStore((s) => s.phase);
  const eventCount = useRunStore((s) => s.eventCount);
  const startedAt = useRunStore((s) => s.startedAt);
  const finishedAt = useRunStore((s) => s.finishedAt);
  const list = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    if (phase === "running" && entries.length === 0) stick.current = true;
  }, [phase, entries.length]);

  useLayoutEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [entries]);

  const done = entries.filter((e) => e.status === "completed").length;
  const failed = entries.filter((e) => e.status === "error").length;
  const seconds = startedAt && finishedAt ? ((finishedAt - startedAt) / 1000).toFixed(2) : null;

  return (
    <aside className="psy-status" data-testid="status-panel" data-phase={phase} data-event-count={eventCount}>
      <div className="psy-panel__header">
        <h2 className="psy-panel__title">Execution</h2>
        <span className={`psy-phase psy-phase--${phase}`} data-testid="run-phase">
          {PHASE_LABEL[phase]}
        </span>
      </div>
      {entries.length > 0 ? (
        <div className="psy-status__summary psy-small psy-muted">
          {entries.length} nodes · {done} done{failed ? ` · ${failed} failed` : ""}
          {seconds ? ` · ${seconds}s` : ""}
        </div>
      ) : null}
      <div
        className="psy-status__list"
        ref={list}
        onScroll={(event) => {
          const el = event.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
      >
        {entries.length === 0 ? (
          <div className="psy-status__empty">
            {phase === "running" ? "Starting…" : "Press Execute to run the graph. Each node's progress shows up here."}
          </div>
        ) : (
          <ol className="psy-status__cards">
            {entries.map((entry) => (
              <StatusCard key={entry.key} entry={entry} onFocus={onFocusNode} />
            ))}
          </ol>
        )}
      </div>
    </aside>
  );
}

export const StatusPanel = memo(StatusPanelImpl);
