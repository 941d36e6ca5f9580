// The frame every node shares: type color, live run status on the border,
// a header with the title, and stable test hooks.
import { memo, type ReactNode } from "react";
import { useRunStore } from "../store/runStore";

export interface NodeShellProps {
  id: string;
  kind: "function" | "variable" | "list" | "view";
  title: string;
  subtitle?: string;
  tooltip?: string;
  badges?: ReactNode;
  selected?: boolean;
  invalid?: boolean;
  children: ReactNode;
}

function NodeShellImpl({ id, kind, title, subtitle, tooltip, badges, selected, invalid, children }: NodeShellProps) {
  const live = useRunStore((s) => s.live[id]);
  const status = live?.status ?? "idle";
  const percent = live?.progress !== undefined ? Math.round(Math.min(1, Math.max(0, live.progress)) * 100) : null;
  const classes = ["psy-node", `psy-node--${kind}`, `psy-node--${status}`];
  if (selected) classes.push("is-selected");
  if (invalid) classes.push("is-invalid");
  return (
    <div className={classes.join(" ")} data-testid={`node-${id}`} data-node-id={id} data-node-kind={kind} data-status={status} data-cached={live?.cached ? "true" : undefined}>
      <div className="psy-node__header" title={tooltip || undefined}>
        <span className="psy-node__title">{title}</span>
        {subtitle ? <span className="psy-node__subtitle">{subtitle}</span> : null}
        <span className="psy-node__badges">
          {badges}
          {status === "completed" && live?.cached ? (
            <span className="psy-badge psy-badge--cached" data-testid="cached-badge" title="Output reused from the cache">
              cached
            </span>
          ) : null}
          <span className={`psy-node__status psy-node__status--${status}`} aria-label={`status ${status}`} />
        </span>
      </div>
      {children}
      {status === "progress" && percent !== null ? (
        <div className="psy-node__progress" aria-label={`progress ${percent}%`}>
          <div className="psy-node__progress-bar" style={{ width: `${percent}%` }} />
        </div>
      ) : null}
    </div>
  );
}

export const NodeShell = memo(NodeShellImpl);
