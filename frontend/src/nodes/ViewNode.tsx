// Shows the value that reaches it: JSON pretty-printed, images as images; or, when
// nothing reached it, why: its input failed, or the run was stopped first (on a
// branch not taken it shows null, as the run's results do). Its optional name
// (viewName) names it as an output of the workflow used as a subgraph.
import { Handle, Position, useReactFlow, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { ViewNodeType } from "../lib/model";
import { notRunText, UNTAKEN_TEXT } from "../lib/runStatus";
import { entryDisplay, useRunStore } from "../store/runStore";
import { NodeShell } from "./NodeShell";
import { useNodeEntry } from "../hooks/useNodeEntry";
import { ValueView } from "./ValueView";

export function ViewValue({ value, present, error, notRun }: { value: unknown; present: boolean; error?: string; notRun?: string | null }) {
  if (notRun) {
    return (
      <div className="psy-view__value psy-view__value--not-run nowheel" data-testid="view-value" data-not-run="true">
        {notRun}
      </div>
    );
  }
  if (error !== undefined) {
    return (
      <div className="psy-view__value psy-view__value--error nowheel" data-testid="view-value" data-error="true">
        {error}
      </div>
    );
  }
  if (!present) {
    return (
      <div className="psy-view__value psy-view__value--empty" data-testid="view-value" data-empty="true">
        Run the graph to see a value
      </div>
    );
  }
  return <ValueView value={value} className="psy-view__value" testId="view-value" />;
}

function ViewNodeImpl({ id, data, selected }: NodeProps<ViewNodeType>) {
  const { updateNodeData } = useReactFlow();
  const entry = useNodeEntry(id);
  // A view on a branch not taken shows null, as the run's results say.
  const untaken = entry?.status === "skipped";
  const present = useRunStore((s) => !s.detached && id in s.viewResults) || untaken;
  const value = useRunStore((s) => (s.detached ? undefined : s.viewResults[id]));
  const display = entry ? entryDisplay(entry) : "idle";
  const notRun = entry && !untaken ? notRunText(display, entry.error, entry.status) : null;
  const name = typeof data.viewName === "string" ? data.viewName : "";
  return (
    <NodeShell id={id} kind="view" title="View" subtitle={name || undefined} selected={selected} runInfo={false}>
      <div className="psy-node__body psy-view">
        <Handle type="target" position={Position.Left} id="input" className="psy-handle psy-handle--view" />
        <ViewValue value={untaken ? null : value} present={present} error={display === "error" ? entry?.error ?? "failed" : undefined} notRun={notRun} />
        {untaken ? (
          <div className="psy-run-note" data-testid="view-untaken">
            {UNTAKEN_TEXT}
          </div>
        ) : null}
        <div className="psy-row">
          <input
            className="psy-input psy-input--name nodrag"
            data-testid="view-name"
            placeholder="output name (optional)"
            title="Names this view as an output when the workflow is used as a subgraph"
            value={name}
            onChange={(event) => updateNodeData(id, { viewName: event.target.value })}
          />
        </div>
      </div>
    </NodeShell>
  );
}

export const ViewNode = memo(ViewNodeImpl);
