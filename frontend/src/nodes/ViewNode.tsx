// Shows the value that reaches it: JSON pretty-printed, images as images; or, when
// nothing reached it, why: its input failed, or the run was stopped first.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { ViewNodeType } from "../lib/model";
import { notRunText } from "../lib/runStatus";
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

function ViewNodeImpl({ id, selected }: NodeProps<ViewNodeType>) {
  const present = useRunStore((s) => !s.detached && id in s.viewResults);
  const value = useRunStore((s) => (s.detached ? undefined : s.viewResults[id]));
  const entry = useNodeEntry(id);
  const display = entry ? entryDisplay(entry) : "idle";
  const notRun = entry ? notRunText(display, entry.error) : null;
  return (
    <NodeShell id={id} kind="view" title="View" selected={selected} runInfo={false}>
      <div className="psy-node__body psy-view">
        <Handle type="target" position={Position.Left} id="input" className="psy-handle psy-handle--view" />
        <ViewValue value={value} present={present} error={display === "error" ? entry?.error ?? "failed" : undefined} notRun={notRun} />
      </div>
    </NodeShell>
  );
}

export const ViewNode = memo(ViewNodeImpl);
