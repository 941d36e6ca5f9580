// Loop: runs a saved workflow again and again, each input fed the output of the
// same name after every iteration, while the output picked here is truthy, up to
// a cap (reaching it with the condition still true fails the loop).
import type { NodeProps } from "@xyflow/react";
import { memo, useCallback, useEffect } from "react";
import { useWorkflowNode } from "../hooks/useWorkflowNode";
import type { LoopData, LoopNodeType } from "../lib/model";
import { CountInput, NameSelect, WorkflowNodeFrame } from "./WorkflowParts";

const NONE: [] = [];

function LoopNodeImpl({ id, data, selected }: NodeProps<LoopNodeType>) {
  const view = useWorkflowNode<LoopNodeType>(id, "loopNode", data);
  const { iface, onChange } = view;
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
    <WorkflowNodeFrame
      id={id}
      data={data}
      selected={selected}
      title="Loop"
      tooltip="Runs a saved workflow again and again, feeding each output back to the input of the same name, while the chosen output is true"
      view={view}
      onWorkflow={onWorkflow}
      inputs={iface?.inputs ?? NONE}
      outputs={iface?.outputs ?? NONE}
    >
      {data.workflow ? (
        <NameSelect
          id={`${id}-while`}
          label="while"
          title="Another iteration follows while this output is true"
          testId="loop-while-output"
          placeholder="Pick an output…"
          names={outputNames}
          value={data.whileOutput}
          onChange={(whileOutput) => onChange({ whileOutput })}
        />
      ) : null}
      <CountInput
        id={`${id}-max`}
        label="at most"
        title="Reaching it with the condition still true fails the loop"
        testId="loop-max-iterations"
        value={data.maxIterations}
        onChange={(maxIterations) => onChange({ maxIterations })}
      />
    </WorkflowNodeFrame>
  );
}

export const LoopNode = memo(LoopNodeImpl);
