// If: the value goes out on `true` when the condition is truthy (Python's rules),
// else on `false`; the other output is untaken, and what hangs on it is skipped.
import { Handle, Position, useNodeConnections, type NodeProps } from "@xyflow/react";
import { memo, useMemo } from "react";
import type { IfNodeType } from "../lib/model";
import { useUiStore } from "../store/uiStore";
import { NodeShell } from "./NodeShell";

const HELP = "If: the value goes out on true when the condition is truthy, else on false.\nFalse: false, 0, \"\", [], {}, null. Nodes fed only by the other output are skipped.";

function IfNodeImpl({ id, selected }: NodeProps<IfNodeType>) {
  const invalid = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const inbound = useNodeConnections({ handleType: "target" });
  const connected = useMemo(() => new Set(inbound.map((c) => c.targetHandle)), [inbound]);
  return (
    <NodeShell id={id} kind="branch" title="If" tooltip={HELP} selected={selected} invalid={invalid}>
      <div className="psy-node__body">
        <div className="psy-row psy-row--input" data-input-row="condition">
          <Handle type="target" position={Position.Left} id="condition" className="psy-handle" />
          <span className="psy-row__label">
            condition<span className="psy-type">truthy</span>
          </span>
          {connected.has("condition") ? null : <span className="psy-muted psy-small">wire a condition</span>}
        </div>
        <div className="psy-row psy-row--input" data-input-row="value">
          <Handle type="target" position={Position.Left} id="value" className="psy-handle" />
          <span className="psy-row__label">
            value<span className="psy-type">Any</span>
          </span>
          {connected.has("value") ? null : <span className="psy-muted psy-small">null when unwired</span>}
        </div>
        <div className="psy-row psy-row--output">
          <span className="psy-row__label">true</span>
          <Handle type="source" position={Position.Right} id="true" className="psy-handle" />
        </div>
        <div className="psy-row psy-row--output">
          <span className="psy-row__label">false</span>
          <Handle type="source" position={Position.Right} id="false" className="psy-handle" />
        </div>
      </div>
    </NodeShell>
  );
}

export const IfNode = memo(IfNodeImpl);
