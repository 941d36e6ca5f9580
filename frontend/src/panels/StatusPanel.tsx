// Live run status: one card per node in execution order; follows the newest
// card unless the user has scrolled up. The badge says done, failed or cancelled,
// as History and the API say it.
import { memo, useLayoutEffect, useMemo, useRef } from "react";
import { openRunById } from "../actions/historyActions";
import { targetsText } from "../lib/partialRun";
import { PHASE_LABEL, tally, tallyText } from "../lib/runStatus";
import { useRunStore } from "../store/runStore";
import { StatusCards } from "./StatusCards";

export { PHASE_LABEL };

/** A Re-run of a graph that is not the canvas: said above its cards, with a way to open it. */
function DetachedNote() {
  const detached = useRunStore((s) => s.detached);
  if (!detached) return null;
  return (
    <div className="psy-status__detached" data-testid="detached-run">
      <span>
        Re-run of run <span className="psy-mono">{detached.fromRunId.slice(0, 8)}</span>
        {detached.workflow ? ` ('${detached.workflow}')` : ""}: its own graph, not the canvas.
      </span>
      <button type="button" className="psy-button psy-button--small" onClick={() => void openRunById(detached.fromRunId)}>
        Open in editor
      </button>
    </div>
  );
}

/** A run to some nodes: said above its cards (the canvas's other nodes keep their last state). */
function PartialNote() {
  const partial = useRunStore((s) => s.partial);
  if (!partial) return null;
  const count = partial.nodes.length;
  return (
    <div className="psy-status__detached" data-testid="partial-run" data-targets={partial.targets.join(" ")}>
      <span>
        Partial run to <span className="psy-mono">{targetsText(partial.targets)}</span>: {count} node{count === 1 ? "" : "s"}; the
        others keep their last state.
      </span>
    </div>
  );
}

function StatusPanelImpl({ onFocusNode }: { onFocusNode?: (nodeId: string) => void }) {
  const all = useRunStore((s) => s.entries);
  // Nodes a partial run leaves alone keep their state on the canvas, not a card here.
  const entries = useMemo(() => all.filter((entry) => !entry.carried), [all]);
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

  const counted = useMemo(() => tally(entries.filter((e) => e.node_id !== null && !e.parent)), [entries]);
  const seconds = startedAt && finishedAt ? ((finishedAt - startedAt) / 1000).toFixed(2) : null;

  return (
    <aside className="psy-status" data-testid="status-panel" data-phase={phase} data-event-count={eventCount}>
      <div className="psy-panel__header">
        <h2 className="psy-panel__title">Execution</h2>
        <span className={`psy-phase psy-phase--${phase}`} data-testid="run-phase">
          {PHASE_LABEL[phase]}
        </span>
      </div>
      <DetachedNote />
      <PartialNote />
      {entries.length > 0 ? (
        <div className="psy-status__summary psy-small psy-muted" data-testid="run-summary">
          {tallyText(counted)}
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
          <StatusCards entries={entries} onFocus={onFocusNode} />
        )}
      </div>
    </aside>
  );
}

export const StatusPanel = memo(StatusPanelImpl);
