// Switch: the value goes out on the case equal to its text ("7" for 7, "true" for
// true), else on `default`. Each case is an output; renaming one keeps its wires.
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useEffect, useRef } from "react";
import { SWITCH_DEFAULT, type PsyEdge, type SwitchNodeType } from "../lib/model";
import { edgeId } from "../lib/serialize";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { NodeShell } from "./NodeShell";

const HELP = "Switch: the value goes out on the case equal to its text (7 → \"7\", true → \"true\"), else on default.";

function moved(edge: PsyEdge, handle: string): PsyEdge {
  const next = { ...edge, sourceHandle: handle };
  return { ...next, id: edgeId(next) };
}

function SwitchNodeImpl({ id, data, selected }: NodeProps<SwitchNodeType>) {
  const invalid = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const cases = data.cases ?? [];
  // Its handles are its cases: re-measure them when they change (not on mount).
  const shape = cases.join("\u0000");
  const updateInternals = useUpdateNodeInternals();
  const firstShape = useRef(shape);
  useEffect(() => {
    if (firstShape.current !== shape) updateInternals(id);
  }, [id, shape, updateInternals]);

  const update = (next: string[], rewire?: (edge: PsyEdge) => PsyEdge | null) =>
    useGraphStore.getState().updateNodeData(id, { cases: next }, rewire);
  const rename = (index: number, text: string) => {
    const old = cases[index];
    const next = cases.map((c, i) => (i === index ? text : c));
    // Its wires follow the new name, unless another case has that name already.
    const free = text !== SWITCH_DEFAULT && !cases.some((c, i) => i !== index && c === text);
    update(next, free ? (edge) => (edge.sourceHandle === old ? moved(edge, text) : edge) : undefined);
  };
  const remove = (index: number) => {
    const gone = cases[index];
    const stays = cases.some((c, i) => i !== index && c === gone);
    update(
      cases.filter((_, i) => i !== index),
      (edge) => (edge.sourceHandle === gone && !stays ? null : edge),
    );
  };
  const add = () => {
    let n = cases.length + 1;
    while (cases.includes(`case${n}`)) n++;
    update([...cases, `case${n}`]);
  };
  const count = new Map<string, number>();
  for (const text of cases) count.set(text, (count.get(text) ?? 0) + 1);
  const handled = new Set<string>();

  return (
    <NodeShell id={id} kind="branch" title="Switch" tooltip={HELP} selected={selected} invalid={invalid}>
      <div className="psy-node__body">
        <div className="psy-row psy-row--input" data-input-row="value">
          <Handle type="target" position={Position.Left} id="value" className="psy-handle" />
          <span className="psy-row__label">
            value<span className="psy-type">Any</span>
          </span>
        </div>
        {cases.map((text, index) => {
          const twice = (count.get(text) ?? 0) > 1 || text === SWITCH_DEFAULT;
          // One handle per name: a name given twice keeps its first one until the clash is fixed.
          const handle = text !== SWITCH_DEFAULT && !handled.has(text);
          handled.add(text);
          return (
            <div className="psy-row psy-row--output psy-case" key={index} data-testid="switch-case">
              <button type="button" className="psy-icon-button psy-case__remove nodrag" aria-label={`Remove case ${text}`} onClick={() => remove(index)}>
                ✕
              </button>
              <input
                className={`psy-input nodrag${twice ? " is-invalid" : ""}`}
                data-testid={`switch-case-${index}`}
                aria-label={`Case ${index + 1}`}
                title={twice ? "Each case needs a name of its own (and not 'default')" : "The value's text that takes this output"}
                value={text}
                onChange={(event) => rename(index, event.target.value)}
              />
              {handle ? <Handle type="source" position={Position.Right} id={text} className="psy-handle" /> : null}
            </div>
          );
        })}
        <div className="psy-row psy-row--output">
          <button type="button" className="psy-button psy-button--small nodrag" data-testid="switch-add-case" onClick={add}>
            + case
          </button>
          <span className="psy-row__label">{SWITCH_DEFAULT}</span>
          <Handle type="source" position={Position.Right} id={SWITCH_DEFAULT} className="psy-handle" />
        </div>
      </div>
    </NodeShell>
  );
}

export const SwitchNode = memo(SwitchNodeImpl);
