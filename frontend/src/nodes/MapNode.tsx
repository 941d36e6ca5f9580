// Map: runs a saved workflow once per item of a list, items in parallel (at most
// `concurrency` at a time) across runners, and gives the results as a list in item
// order. Each item goes to the input picked here; the other inputs are the same
// for every item.
import type { NodeProps } from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo } from "react";
import { useWorkflowNode } from "../hooks/useWorkflowNode";
import { MAP_ITEMS, type MapData, type MapNodeType } from "../lib/model";
import { mapItemsType, mapOutputType } from "../lib/typecheck";
import { CountInput, NameSelect, WorkflowNodeFrame } from "./WorkflowParts";

function MapNodeImpl({ id, data, selected }: NodeProps<MapNodeType>) {
  const view = useWorkflowNode<MapNodeType>(id, "mapNode", data);
  const { iface, onChange } = view;
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
    <WorkflowNodeFrame
      id={id}
      data={data}
      selected={selected}
      title="Map"
      tooltip="Runs a saved workflow once per item of a list, items in parallel across runners; gives the results as a list in item order"
      view={view}
      onWorkflow={onWorkflow}
      inputs={inputs}
      outputs={outputs}
    >
      {data.workflow ? (
        <NameSelect
          id={`${id}-item`}
          label="each item to"
          testId="map-item-input"
          placeholder="Pick an input…"
          names={inputNames}
          value={data.itemInput}
          onChange={(itemInput) => onChange({ itemInput })}
        />
      ) : null}
      <CountInput
        id={`${id}-concurrency`}
        label="at a time"
        title="Items running at a time"
        testId="map-concurrency"
        value={data.concurrency}
        onChange={(concurrency) => onChange({ concurrency })}
      />
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
    </WorkflowNodeFrame>
  );
}

export const MapNode = memo(MapNodeImpl);
