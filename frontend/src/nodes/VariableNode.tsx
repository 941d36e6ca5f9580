// A value source: typed value, optional LLM message formatting, images as data URLs.
import { Handle, Position, useReactFlow, type NodeProps } from "@xyflow/react";
import { memo, useCallback } from "react";
import { switchType } from "../lib/factory";
import { LLM_ROLES, VARIABLE_TYPES, type VariableNodeType, type VariableType } from "../lib/model";
import { formatsOf, typeLabel, variableOutputType } from "../lib/typecheck";
import { useUiStore } from "../store/uiStore";
import { NodeShell } from "./NodeShell";
import { VariableValue } from "./VariableValue";

function VariableNodeImpl({ id, data, selected }: NodeProps<VariableNodeType>) {
  const { updateNodeData } = useReactFlow();
  const invalid = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const set = useCallback((patch: Record<string, unknown>) => updateNodeData(id, patch), [id, updateNodeData]);
  const setValue = useCallback((value: unknown) => set({ variableValue: value }), [set]);
  const type = data.variableType ?? "String";
  const formats = formatsOf(type);

  return (
    <NodeShell
      id={id}
      kind="variable"
      title="Variable"
      subtitle={data.variableName ? String(data.variableName) : undefined}
      selected={selected}
      invalid={invalid}
    >
      <div className="psy-node__body">
        <div className="psy-row">
          <label className="psy-row__label" htmlFor={`${id}-type`}>
            type
          </label>
          <select
            id={`${id}-type`}
            className="psy-input nodrag"
            data-testid="variable-type"
            value={type}
            onChange={(event) => {
              set(switchType(data, event.target.value as VariableType));
            }}
          >
            {VARIABLE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <VariableValue id={id} type={type} value={data.variableValue} onChange={setValue} />
        {formats.llm ? (
          <div className="psy-options" data-testid="variable-formats">
            <label className="psy-option nodrag">
              <input
                type="checkbox"
                data-testid="variable-llm"
                checked={!!data.llmMessageFormat}
                onChange={(event) => set({ llmMessageFormat: event.target.checked })}
              />
              LLM message
            </label>
            {data.llmMessageFormat ? (
              <select
                className="psy-input psy-input--small nodrag"
                data-testid="variable-role"
                aria-label="message role"
                value={data.llmMessageRole ?? "user"}
                onChange={(event) => set({ llmMessageRole: event.target.value })}
              >
                {LLM_ROLES.map((role) => (
                  <option key={role} value={role}>
                    {role}
                  </option>
                ))}
              </select>
            ) : null}
            {formats.image ? (
              <label className="psy-option nodrag">
                <input
                  type="checkbox"
                  data-testid="variable-image-content"
                  checked={!!data.imageContentFormat}
                  onChange={(event) => set({ imageContentFormat: event.target.checked })}
                />
                image content
              </label>
            ) : null}
            {formats.text ? (
              <label className="psy-option nodrag">
                <input
                  type="checkbox"
                  data-testid="variable-text-content"
                  checked={!!data.textContentFormat}
                  onChange={(event) => set({ textContentFormat: event.target.checked })}
                />
                text content
              </label>
            ) : null}
          </div>
        ) : null}
        <div className="psy-row">
          <input
            className="psy-input psy-input--name nodrag"
            data-testid="variable-name"
            placeholder="name (optional)"
            value={String(data.variableName ?? "")}
            onChange={(event) => set({ variableName: event.target.value })}
          />
        </div>
        <div className="psy-row psy-row--output">
          <span className="psy-row__label">
            output<span className="psy-type" data-testid="variable-output-type">{typeLabel(variableOutputType(data))}</span>
          </span>
          <Handle type="source" position={Position.Right} id="output" className="psy-handle" />
        </div>
      </div>
    </NodeShell>
  );
}

export const VariableNode = memo(VariableNodeImpl);
