// A saved workflow as one node: its named Variables are its inputs, its Views its
// outputs, typed by what they are wired to inside. Open (or double-click the title)
// edits the workflow itself; a breadcrumb leads back.
import { useReactFlow, type NodeProps } from "@xyflow/react";
import { memo, useCallback, useMemo } from "react";
import { useSubgraph } from "../hooks/useSubgraph";
import { openSubgraph } from "../actions/subgraphNavigation";
import type { SubgraphNodeType, WorkflowRefData } from "../lib/model";
import { workflowNodeProblems, workflowSubtitle } from "../lib/workflowNodeCheck";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { NodeShell } from "./NodeShell";
import { OpenButton, PortRows, WorkflowNotes, WorkflowPicker } from "./WorkflowParts";

const NONE: [] = [];

function SubgraphNodeImpl({ id, data, selected }: NodeProps<SubgraphNodeType>) {
  const { updateNodeData } = useReactFlow();
  const { loaded, iface } = useSubgraph(data);
  const edges = useGraphStore((s) => s.edges);
  const node = useMemo(() => ({ id, type: "subgraphNode" as const, position: { x: 0, y: 0 }, data }), [id, data]);
  const problems = useMemo(() => workflowNodeProblems(node, edges, loaded, iface), [node, edges, loaded, iface]);
  const flagged = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const onChange = useCallback((patch: Partial<WorkflowRefData>) => updateNodeData(id, patch), [id, updateNodeData]);
  return (
    <NodeShell
      id={id}
      kind="workflow"
      title="Subgraph"
      subtitle={workflowSubtitle(data, loaded)}
      tooltip="A saved workflow as a node: its named Variables are its inputs, its Views its outputs"
      badges={<OpenButton id={id} data={data} />}
      selected={selected}
      invalid={flagged || problems.length > 0}
      onOpen={data.workflow ? () => void openSubgraph(id) : undefined}
    >
      <div className="psy-node__body">
        <WorkflowPicker id={id} data={data} onChange={onChange} />
        <WorkflowNotes data={data} loaded={loaded} problems={problems} />
        <PortRows id={id} inputs={iface?.inputs ?? NONE} outputs={iface?.outputs ?? NONE} />
      </div>
    </NodeShell>
  );
}

export const SubgraphNode = memo(SubgraphNodeImpl);
