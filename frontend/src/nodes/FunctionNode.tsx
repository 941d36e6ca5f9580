// A node for one schema entry: inputs for parameters without defaults,
// the rest in a collapsible properties section, one output per return key.
import { Handle, Position, useNodeConnections, useReactFlow, useUpdateNodeInternals, type NodeProps } from "@xyflow/react";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { FunctionNodeType } from "../lib/model";
import { typeLabel } from "../lib/typecheck";
import { missingFor, useCatalogStore } from "../store/catalogStore";
import { useUiStore } from "../store/uiStore";
import { isRunSetting } from "../lib/runSettings";
import { NodeShell } from "./NodeShell";
import { ParamControl } from "./ParamControl";
import { RunSettings } from "./RunSettings";


function FunctionNodeImpl({ id, data, selected }: NodeProps<FunctionNodeType>) {
  const schema = useCatalogStore((s) => s.byName[data.functionName]);
  const packs = useCatalogStore((s) => s.packs);
  const missing = useMemo(() => missingFor(packs, data.functionName), [packs, data.functionName]);
  const invalid = useUiStore((s) => s.issues.some((issue) => issue.nodeId === id));
  const { updateNodeData } = useReactFlow();
  const updateInternals = useUpdateNodeInternals();
  const [open, setOpen] = useState(false);
  const inbound = useNodeConnections({ handleType: "target" });
  const connected = useMemo(() => new Set(inbound.map((c) => c.targetHandle)), [inbound]);

  const onChange = useCallback((name: string, value: unknown) => updateNodeData(id, { [name]: value }), [id, updateNodeData]);
  const onSettings = useCallback((patch: Record<string, unknown>) => updateNodeData(id, patch), [id, updateNodeData]);
  // Handles come from the schema: when it changes (pack edited), re-measure
  // them. Not on mount: React Flow measures new nodes itself, and 300 extra
  // updates would make a big import slow.
  const firstSchema = useRef(schema);
  useEffect(() => {
    if (firstSchema.current !== schema) updateInternals(id);
  }, [id, schema, updateInternals]);

  if (!schema) {
    return (
      <NodeShell id={id} kind="function" title={data.functionName} subtitle="unknown" selected={selected} invalid>
        <div className="psy-node__body psy-node__missing">This function is not in the catalog (yet).</div>
      </NodeShell>
    );
  }
  const required = schema.params.filter((p) => p.default === undefined);
  const optional = schema.params.filter((p) => p.default !== undefined);
  const outputs = schema.returns.length > 1 ? schema.returns : null;
  const badges = (
    <>
      {schema.is_progress_node ? <span className="psy-badge psy-badge--progress" title="Reports progress">progress</span> : null}
      {schema.is_stream_node ? <span className="psy-badge psy-badge--stream" title="Streams text">stream</span> : null}
      {missing.length > 0 ? (
        <span
          className="psy-badge psy-badge--missing"
          data-testid="node-missing"
          title={`Needs ${missing.map((m) => `${m.module} (in pool ${m.pool}'s environment)`).join(", ")}, which is not installed where the nodes run: ${missing.map((m) => m.install).join("; ")}`}
        >
          needs {missing.map((m) => m.module).join(", ")}
        </span>
      ) : null}
    </>
  );

  return (
    <NodeShell
      id={id}
      kind="function"
      title={schema.name}
      tooltip={`${schema.name} (${schema.nodepack ?? "nodepack"})${schema.docstring ? `\n\n${schema.docstring}` : ""}`}
      badges={badges}
      selected={selected}
      invalid={invalid}
    >
      <div className="psy-node__body">
        {required.map((param) => (
          <div className="psy-row psy-row--input" key={param.name} data-input-row={param.name}>
            <Handle type="target" position={Position.Left} id={param.name} className="psy-handle" />
            <label className="psy-row__label" title={param.type}>
              {param.name}
              <span className="psy-type">{typeLabel(param.type)}</span>
            </label>
            {connected.has(param.name) ? (
              <span className="psy-connected">connected</span>
            ) : (
              <ParamControl nodeId={id} param={param} value={data[param.name]} onChange={onChange} />
            )}
          </div>
        ))}
        {outputs ? (
          outputs.map((ret) => (
            <div className="psy-row psy-row--output" key={ret.name}>
              <span className="psy-row__label">
                {ret.name}
                <span className="psy-type">{typeLabel(ret.type)}</span>
              </span>
              <Handle type="source" position={Position.Right} id={ret.name} className="psy-handle" />
            </div>
          ))
        ) : (
          <div className="psy-row psy-row--output">
            <span className="psy-row__label">
              output<span className="psy-type">{typeLabel(schema.returns[0]?.type ?? "Any")}</span>
            </span>
            <Handle type="source" position={Position.Right} id="output" className="psy-handle" />
          </div>
        )}
      </div>
      {optional.length > 0 ? (
        <div className="psy-props">
          <button
            type="button"
            className="psy-props__toggle nodrag"
            aria-expanded={open}
            data-testid={`props-toggle-${id}`}
            onClick={() => setOpen((o) => !o)}
          >
            <span className="psy-props__chevron">{open ? "▾" : "▸"}</span> Properties ({optional.length})
          </button>
          {open ? (
            <div className="psy-props__list">
              {optional.map((param) => (
                <div className="psy-row" key={param.name}>
                  <label className="psy-row__label" title={`${param.type}, default ${JSON.stringify(param.default)}`}>
                    {param.name}
                    <span className="psy-type">{typeLabel(param.type)}</span>
                  </label>
                  <ParamControl nodeId={id} param={param} value={data[param.name]} onChange={onChange} />
                </div>
              ))}
            </div>
          ) : null}
        </div>
      ) : null}
      {isRunSetting("retry", schema) && isRunSetting("timeout_s", schema) ? (
        <RunSettings id={id} schema={schema} data={data} onChange={onSettings} />
      ) : null}
    </NodeShell>
  );
}

export const FunctionNode = memo(FunctionNodeImpl);
