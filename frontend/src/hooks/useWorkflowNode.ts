// What a Subgraph, Map or Loop node knows of itself: the workflow it runs as loaded
// (and its interface), what is wrong with the node against it, whether a check
// flagged it, and a setter for its data.
import { useReactFlow } from "@xyflow/react";
import { useCallback, useMemo } from "react";
import type { WorkflowNodeType } from "../lib/model";
import { workflowNodeProblems } from "../lib/workflowNodeCheck";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { useSubgraph, type SubgraphView } from "./useSubgraph";

export interface WorkflowNodeView<D> extends SubgraphView {
  problems: string[];
  flagged: boolean;
  onChange: (patch: Partial<D>) => void;
}

export function useWorkflowNode<N extends WorkflowNodeType>(id: string, type: N["type"], data: N["data"]): WorkflowNodeView<N["data"]> {
  const { updateNodeData } = useReactFlow();
  const { loaded, iface } = useSubgraph(data);
  const edges = useGraphStore((s) => s.edges);
  const node = useMemo(() => ({ id, type, position: { x: 0, y: 0 }, data }) as N, [id, type, data]);
  const problems = useMemo(() => workflowNodeProblems(node, edges, loaded, iface), [node, edges, loaded, iface]);
  const flagged = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const onChange = useCallback((patch: Partial<N["data"]>) => updateNodeData(id, patch), [id, updateNodeData]);
  return { loaded, iface, problems, flagged, onChange };
}
