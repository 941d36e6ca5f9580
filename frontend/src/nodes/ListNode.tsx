// Collects its inputs into a list: input-0..N, always one free input at the end.
import { Handle, Position, useNodeConnections, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useMemo, useRef } from "react";
import { listHandleCount, type ListNodeType } from "../lib/model";
import { NodeShell } from "./NodeShell";

function ListNodeImpl({ id, selected }: NodeProps<ListNodeType>) {
  const inbound = useNodeConnections({ handleType: "target" });
  const handles = useMemo(() => inbound.map((c) => c.targetHandle), [inbound]);
  const taken = useMemo(() => new Set(handles), [handles]);
  const count = listHandleCount(handles);
  const updateInternals = useUpdateNodeInternals();
  const firstCount = useRef(count);
  useEffect(() => {
    if (firstCount.current !== count) updateInternals(id);
  }, [id, count, updateInternals]);

  return (
    <NodeShell id={id} kind="list" title="List" selected={selected}>
      <div className="psy-node__body">
        {Array.from({ length: count }, (_, index) => {
          const handle = `input-${index}`;
          return (
            <div className="psy-row psy-row--input" key={handle}>
              <Handle type="target" position={Position.Left} id={handle} className="psy-handle" />
              <span className={`psy-row__label${taken.has(handle) ? "" : " psy-muted"}`}>
                [{index}] {taken.has(handle) ? "" : "free"}
              </span>
            </div>
          );
        })}
        <div className="psy-row psy-row--output">
          <span className="psy-row__label" data-testid="list-count">
            {taken.size} connected<span className="psy-type">list</span>
          </span>
          <Handle type="source" position={Position.Right} id="output" className="psy-handle" />
        </div>
      </div>
    </NodeShell>
  );
}

export const ListNode = memo(ListNodeImpl);
