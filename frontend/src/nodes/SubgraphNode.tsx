// A saved workflow as one node: its named Variables are its inputs, its Views its
// outputs, typed by what they are wired to inside. Open (or double-click the title)
// edits the workflow itself; a breadcrumb leads back.
import type { NodeProps } from "@xyflow/react";
import { memo } from "react";
import { useWorkflowNode } from "../hooks/useWorkflowNode";
import type { SubgraphNodeType } from "../lib/model";
import { WorkflowNodeFrame } from "./WorkflowParts";

const NONE: [] = [];

function SubgraphNodeImpl({ id, data, selected }: NodeProps<SubgraphNodeType>) {
  const view = useWorkflowNode<SubgraphNodeType>(id, "subgraphNode", data);
  return (
    <WorkflowNodeFrame
      id={id}
      data={data}
      selected={selected}
      title="Subgraph"
      tooltip="A saved workflow as a node: its named Variables are its inputs, its Views its outputs"
      view={view}
      onWorkflow={view.onChange}
      inputs={view.iface?.inputs ?? NONE}
      outputs={view.iface?.outputs ?? NONE}
    />
  );
}

export const SubgraphNode = memo(SubgraphNodeImpl);
