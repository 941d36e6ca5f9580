// Shows the value that reaches it: JSON pretty-printed, images as images.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { ViewNodeType } from "../lib/model";
import { useRunStore } from "../store/runStore";
import { NodeShell } from "./NodeShell";

export function ViewValue({ value, present, error }: { value: unknown; present: boolean; error?: string }) {
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
  if (typeof value === "string" && value.startsWith("data:image/")) {
    return (
      <div className="psy-view__value psy-view__value--image nowheel" data-testid="view-value">
        <img src={value} alt="result" />
      </div>
    );
  }
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2) ?? String(value);
  return (
    <pre className="psy-view__value nowheel nodrag" data-testid="view-value">
      {text}
    </pre>
  );
}

function ViewNodeImpl({ id, selected }: NodeProps<ViewNodeType>) {
  const present = useRunStore((s) => id in s.viewResults);
  const value = useRunStore((s) => s.viewResults[id]);
  // A view whose input failed has no value (the done event says null): say why.
  const error = useRunStore((s) => (s.live[id]?.status === "error" ? s.entries[s.index[id]]?.error ?? "failed" : undefined));
  return (
    <NodeShell id={id} kind="view" title="View" selected={selected}>
      <div className="psy-node__body psy-view">
        <Handle type="target" position={Position.Left} id="input" className="psy-handle psy-handle--view" />
        <ViewValue value={value} present={present} error={error} />
      </div>
    </NodeShell>
  );
}

export const ViewNode = memo(ViewNodeImpl);
