// Map: runs a saved workflow once per item of a list, items in parallel (at most
// `concurrency` at a time) across runners, and gives the results as a list in item
// order. Each item goes to the input picked here; the other inputs are the same
// for every item.
import { useReactFlow, type NodeProps } from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo } from "react";
import { useSubgraph } from "../hooks/useSubgraph";
import { openSubgraph } from "../actions/subgraphNavigation";
import { MAP_ITEMS, type MapData, type MapNodeType } from "../lib/model";
import { mapItemsType, mapOutputType } from "../lib/typecheck";
import { workflowNodeProblems, workflowSubtitle } from "../lib/workflowNodeCheck";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { NodeShell } from "./NodeShell";
import { OpenButton, PortRows, WorkflowNotes, WorkflowPicker } from "./WorkflowParts";

function MapNodeImpl({ id, data, selected }: NodeProps<MapNodeType>) {
  const { updateNodeData } = useReactFlow();
  const { loaded, iface } = useSubgraph(data);
  const edges = useGraphStore((s) => s.edges);
  const node = useMemo(() => ({ id, type: "mapNode" as const, position: { x: 0, y: 0 }, data }), [id, data]);
  const problems = useMemo(() => workflowNodeProblems(node, edges, loaded, iface), [node, edges, loaded, iface]);
  const flagged = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const onChange = useCallback((patch: Partial<MapData>) => updateNodeData(id, patch), [id, updateNodeData]);
  // Another workflow has other inputs: the item input is picked again.
  const onWorkflow = useCallback((patch: Partial<MapData>) => onChange(patch.workflow === undefined ? patch : { ...patch, itemInput: "" }), [onChange]);
  const inputs = useMemo(() => {
    const shared = (iface?.inputs ?? []).filter((input) => input.name !== data.itemInput);
    return [{ name: MAP_ITEMS, type: iface ? mapItemsType(iface, data.itemInput) : "list" }, ...shared];
  }, [iface, data.itemInput]);
  const outputs = useMemo(() => [{ name: "output", type: iface ? mapOutputType(iface) : "list" }], [iface]);
  const inputNames = (iface?.inputs ?? []).map((input) => input.name);
  // A workflow with one input: that is where each item goes.
  const only = iface?.inputs.length === 1 ? iface.inputs[0].name : null;
  useEffect(() => {
    if (only && !data.itemInput) onChange({ itemInput: only });
  }, [only, data.itemInput, onChange]);
  return (
    <NodeShell
      id={id}
      kind="workflow"
      title="Map"
      subtitle={workflowSubtitle(data, loaded)}
      tooltip="Runs a saved workflow once per item of a list, items in parallel across runners; gives the results as a list in item order"
      badges={<OpenButton id={id} data={data} />}
      selected={selected}
      invalid={flagged || problems.length > 0}
      onOpen={data.workflow ? () => void openSubgraph(id) : undefined}
    >
      <div className="psy-node__body">
        <WorkflowPicker id={id} data={data} onChange={onWorkflow} />
        {data.workflow ? (
          <div className="psy-row">
            <label className="psy-row__label" htmlFor={`${id}-item`}>
              each item to
            </label>
            <select
              id={`${id}-item`}
              className="psy-input nodrag"
              data-testid="map-item-input"
              value={data.itemInput}
              onChange={(event) => onChange({ itemInput: event.target.value })}
            >
              <option value="">Pick an input…</option>
              {[...new Set([...inputNames, ...(data.itemInput ? [data.itemInput] : [])])].map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <div className="psy-row">
          <label className="psy-row__label" htmlFor={`${id}-concurrency`} title="Items running at a time">
            at a time
          </label>
          <input
            id={`${id}-concurrency`}
            className="psy-input nodrag"
            type="number"
            min={1}
            step={1}
            data-testid="map-concurrency"
            value={data.concurrency}
            onChange={(event) => onChange({ concurrency: Math.max(1, Math.round(Number(event.target.value) || 1)) })}
          />
        </div>
        <div className="psy-options">
          <label className="psy-option nodrag" title="A failed item gives null in its place, and the map goes on">
            <input
              type="checkbox"
              data-testid="map-continue-on-error"
              checked={!!data.continueOnError}
              onChange={(event) => onChange({ continueOnError: event.target.checked })}
            />
            continue on error
          </label>
        </div>
        <WorkflowNotes data={data} loaded={loaded} problems={problems} />
        <PortRows id={id} inputs={inputs} outputs={outputs} />
      </div>
    </NodeShell>
  );
}

export const MapNode = memo(MapNodeImpl);
