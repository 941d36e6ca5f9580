// Loop: runs a saved workflow again and again, each input fed the output of the
// same name after every iteration, while the output picked here is truthy, up to
// a cap (reaching it with the condition still true fails the loop).
import { useReactFlow, type NodeProps } from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo } from "react";
import { useSubgraph } from "../hooks/useSubgraph";
import { openSubgraph } from "../actions/subgraphNavigation";
import type { LoopData, LoopNodeType } from "../lib/model";
import { workflowNodeProblems, workflowSubtitle } from "../lib/workflowNodeCheck";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { NodeShell } from "./NodeShell";
import { OpenButton, PortRows, WorkflowNotes, WorkflowPicker } from "./WorkflowParts";

const NONE: [] = [];

function LoopNodeImpl({ id, data, selected }: NodeProps<LoopNodeType>) {
  const { updateNodeData } = useReactFlow();
  const { loaded, iface } = useSubgraph(data);
  const edges = useGraphStore((s) => s.edges);
  const node = useMemo(() => ({ id, type: "loopNode" as const, position: { x: 0, y: 0 }, data }), [id, data]);
  const problems = useMemo(() => workflowNodeProblems(node, edges, loaded, iface), [node, edges, loaded, iface]);
  const flagged = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const onChange = useCallback((patch: Partial<LoopData>) => updateNodeData(id, patch), [id, updateNodeData]);
  // Another workflow has other outputs: the condition is picked again.
  const onWorkflow = useCallback((patch: Partial<LoopData>) => onChange(patch.workflow === undefined ? patch : { ...patch, whileOutput: "" }), [onChange]);
  const outputNames = (iface?.outputs ?? []).map((output) => output.name);
  // A workflow with one boolean output: that says whether to go on.
  const flags = (iface?.outputs ?? []).filter((output) => output.type === "bool");
  const onlyFlag = flags.length === 1 ? flags[0].name : null;
  useEffect(() => {
    if (onlyFlag && !data.whileOutput) onChange({ whileOutput: onlyFlag });
  }, [onlyFlag, data.whileOutput, onChange]);
  return (
    <NodeShell
      id={id}
      kind="workflow"
      title="Loop"
      subtitle={workflowSubtitle(data, loaded)}
      tooltip="Runs a saved workflow again and again, feeding each output back to the input of the same name, while the chosen output is true"
      badges={<OpenButton id={id} data={data} />}
      selected={selected}
      invalid={flagged || problems.length > 0}
      onOpen={data.workflow ? () => void openSubgraph(id) : undefined}
    >
      <div className="psy-node__body">
        <WorkflowPicker id={id} data={data} onChange={onWorkflow} />
        {data.workflow ? (
          <div className="psy-row">
            <label className="psy-row__label" htmlFor={`${id}-while`} title="Another iteration follows while this output is true">
              while
            </label>
            <select
              id={`${id}-while`}
              className="psy-input nodrag"
              data-testid="loop-while-output"
              value={data.whileOutput}
              onChange={(event) => onChange({ whileOutput: event.target.value })}
            >
              <option value="">Pick an output…</option>
              {[...new Set([...outputNames, ...(data.whileOutput ? [data.whileOutput] : [])])].map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="psy-row">
          <label className="psy-row__label" htmlFor={`${id}-max`} title="Reaching it with the condition still true fails the loop">
            at most
          </label>
          <input
            id={`${id}-max`}
            className="psy-input nodrag"
            type="number"
            min={1}
            step={1}
            data-testid="loop-max-iterations"
            value={data.maxIterations}
            onChange={(event) => onChange({ maxIterations: Math.max(1, Math.round(Number(event.target.value) || 1)) })}
          />
        </div>
        <WorkflowNotes data={data} loaded={loaded} problems={problems} />
        <PortRows id={id} inputs={iface?.inputs ?? NONE} outputs={iface?.outputs ?? NONE} />
      </div>
    </NodeShell>
  );
}

export const LoopNode = memo(LoopNodeImpl);
