// The frame every node shares: type color, live run status on the border,
// a header with the title, what the run did to it, and stable test hooks.
import { memo, type ReactNode } from "react";
import { useRunStore } from "../store/runStore";
import { NodeRunInfo } from "./NodeRunInfo";

export interface NodeShellProps {
  id: string;
  kind: "function" | "variable" | "list" | "view" | "branch" | "workflow";
  title: string;
  subtitle?: string;
  tooltip?: string;
  badges?: ReactNode;
  selected?: boolean;
  invalid?: boolean;
  /** Progress, streamed text and errors under the body (a view shows them in its value). */
  runInfo?: boolean;
  /** What double-clicking the header does (a subgraph opens). */
  onOpen?: () => void;
  children: ReactNode;
}

const STATUS_WORDS: Record<string, string> = { skipped: "not run", error: "failed", retrying: "retrying" };

function NodeShellImpl({ id, kind, title, subtitle, tooltip, badges, selected, invalid, runInfo = true, onOpen, children }: NodeShellProps) {
  const live = useRunStore((s) => (s.detached ? undefined : s.live[id]));
  const display = live?.display ?? "idle";
  const classes = ["psy-node", `psy-node--${kind}`, `psy-node--${display}`];
  if (selected) classes.push("is-selected");
  if (invalid) classes.push("is-invalid");
  return (
    <div className={classes.join(" ")} data-testid={`node-${id}`} data-node-id={id} data-node-kind={kind} data-status={display} data-cached={live?.cached ? "true" : undefined}>
      <div className="psy-node__header" title={tooltip || undefined} onDoubleClick={onOpen}>
        <span className="psy-node__title">{title}</span>
        {subtitle ? <span className="psy-node__subtitle">{subtitle}</span> : null}
        <span className="psy-node__badges">
          {badges}
          {display === "completed" && live?.cached ? (
            <span className="psy-badge psy-badge--cached" data-testid="cached-badge" title="Output reused from the cache">
              cached
            </span>
          ) : null}
          <span className={`psy-node__status psy-node__status--${display}`} aria-label={`status ${live?.status === "skipped" ? "skipped" : STATUS_WORDS[display] ?? display}`} />
        </span>
      </div>
      {children}
      {runInfo ? <NodeRunInfo id={id} /> : null}
    </div>
  );
}

export const NodeShell = memo(NodeShellImpl);
