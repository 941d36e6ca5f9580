// What the last run did to a node, shown on the node itself: progress with its
// percentage, the text streamed so far (kept when the run is stopped), a retry under
// way, the error with an expandable traceback, or why the node did not run.
import { memo, useLayoutEffect, useRef, useState } from "react";
import { useNodeEntry } from "../hooks/useNodeEntry";
import { attemptsText, notRunText, percentOf } from "../lib/runStatus";
import { entryDisplay, type RetryNote } from "../store/runStore";

/** "Retrying: attempt 2 of 3 in 0.5 s", and why the last call failed. */
export function RetryLine({ retry, testId }: { retry: RetryNote; testId: string }) {
  return (
    <div className="psy-run-retry" data-testid={testId} data-attempt={retry.attempt}>
      <div className="psy-run-retry__what">
        Retrying: attempt {retry.attempt} of {retry.max_attempts} in {retry.delay_s} s
      </div>
      <div className="psy-run-retry__why nodrag">{retry.error}</div>
    </div>
  );
}

export function StreamBox({ text, live, testId }: { text: string; live: boolean; testId: string }) {
  const ref = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    if (ref.current) ref.current.scrollTop = ref.current.scrollHeight;
  }, [text]);
  return (
    <pre ref={ref} className={`psy-stream nowheel nodrag${live ? " is-live" : ""}`} data-testid={testId} data-live={live}>
      {text}
      {live ? <span className="psy-caret" /> : null}
    </pre>
  );
}

export function Traceback({ text, testId }: { text: string; testId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="psy-traceback">
      <button type="button" className="psy-traceback__toggle nodrag" aria-expanded={open} data-testid={`${testId}-toggle`} onClick={() => setOpen((o) => !o)}>
        {open ? "▾" : "▸"} Traceback
      </button>
      {open ? (
        <pre className="psy-traceback__text nowheel nodrag" data-testid={testId}>
          {text}
        </pre>
      ) : null}
    </div>
  );
}

function NodeRunInfoImpl({ id }: { id: string }) {
  const entry = useNodeEntry(id);
  if (!entry) return null;
  const display = entryDisplay(entry);
  const percent = percentOf(entry.progress);
  const notRun = notRunText(display, entry.error, entry.status);
  const showProgress = percent !== null && (display === "progress" || display === "executing" || display === "cancelled");
  const attempts = attemptsText(entry);
  return (
    <div className="psy-run-info" data-testid="node-run-info">
      {display === "retrying" && entry.retry ? <RetryLine retry={entry.retry} testId="node-retrying" /> : null}
      {showProgress ? (
        <div className="psy-run-progress" data-testid="node-progress" data-percent={percent}>
          <div className="psy-progress">
            <div className="psy-progress__bar" style={{ width: `${percent}%` }} />
          </div>
          <div className="psy-run-progress__text">
            <span className="psy-run-progress__percent">{percent}%</span>
            {entry.progress_message ? <span className="psy-run-progress__message">{entry.progress_message}</span> : null}
          </div>
        </div>
      ) : null}
      {entry.streaming_text !== undefined ? <StreamBox text={entry.streaming_text} live={display === "streaming"} testId="node-stream" /> : null}
      {display === "error" ? (
        <div className="psy-run-error" role="alert" data-testid="node-error">
          <div className="psy-run-error__message nodrag">{entry.error}</div>
          {entry.traceback ? <Traceback text={entry.traceback} testId="node-traceback" /> : null}
        </div>
      ) : null}
      {notRun ? (
        <div className="psy-run-note" data-testid="node-not-run">
          {notRun}
        </div>
      ) : null}
      {attempts ? (
        <div className="psy-run-note" data-testid="node-attempts">
          {attempts}
        </div>
      ) : null}
    </div>
  );
}

export const NodeRunInfo = memo(NodeRunInfoImpl);
