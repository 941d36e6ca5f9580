// What Subgraph, Map and Loop nodes share: the picker of the saved workflow they
// run (and a pinned version), the rows of its inputs and outputs as handles, the
// problems against it as saved now, the button that opens it, the frame holding
// these, and the rows of their own settings.
import { Handle, Position, useNodeConnections, useUpdateNodeInternals } from "@xyflow/react";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { listVersions } from "../api/workflows";
import { openSubgraph } from "../actions/subgraphNavigation";
import type { WorkflowRefData } from "../lib/model";
import { typeLabel } from "../lib/typecheck";
import type { LoadedWorkflow, Port } from "../lib/workflowInterface";
import { workflowSubtitle } from "../lib/workflowNodeCheck";
import type { WorkflowNodeView } from "../hooks/useWorkflowNode";
import { loadWorkflow, loadWorkflowNames, useSubgraphStore } from "../store/subgraphStore";
import { NodeShell } from "./NodeShell";

/** The saved workflows to pick from, listed when the picker shows and when it is opened. */
function useWorkflowNames(): string[] | null {
  const names = useSubgraphStore((s) => s.names);
  useEffect(() => {
    void loadWorkflowNames();
  }, []);
  return names;
}

/** The versions of `name`, newest first, once listed (only while a version picker shows). */
function useVersions(name: string): number[] | null {
  const [listed, setListed] = useState<{ name: string; versions: number[] } | null>(null);
  useEffect(() => {
    if (!name) return;
    const abort = new AbortController();
    listVersions(name, abort.signal)
      .then((versions) => setListed({ name, versions: versions.map((v) => v.version) }))
      .catch(() => undefined); // the node says when the workflow or version is missing
    return () => abort.abort();
  }, [name]);
  return listed?.name === name ? listed.versions : null;
}

export interface WorkflowPickerProps {
  id: string;
  data: WorkflowRefData;
  onChange: (patch: Partial<WorkflowRefData>) => void;
}

export function WorkflowPicker({ id, data, onChange }: WorkflowPickerProps) {
  const names = useWorkflowNames();
  const versions = useVersions(data.workflow);
  const pinned = typeof data.version === "number" ? data.version : null;
  const choices = useMemo(() => {
    const all = new Set(names ?? []);
    if (data.workflow) all.add(data.workflow);
    return [...all].sort();
  }, [names, data.workflow]);
  const versionChoices = useMemo(() => {
    const all = new Set(versions ?? []);
    if (pinned !== null) all.add(pinned);
    return [...all].sort((a, b) => b - a);
  }, [versions, pinned]);
  return (
    <>
      <div className="psy-row">
        <label className="psy-row__label" htmlFor={`${id}-workflow`}>
          workflow
        </label>
        <select
          id={`${id}-workflow`}
          className="psy-input nodrag"
          data-testid="subgraph-workflow"
          value={data.workflow}
          onFocus={() => void loadWorkflowNames()}
          onChange={(event) => onChange({ workflow: event.target.value, version: null })}
        >
          <option value="">{names === null ? "Loading…" : "Pick a workflow…"}</option>
          {choices.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {data.workflow ? (
        <div className="psy-row">
          <label className="psy-row__label" htmlFor={`${id}-version`}>
            version
          </label>
          <select
            id={`${id}-version`}
            className="psy-input nodrag"
            data-testid="subgraph-version"
            value={pinned === null ? "" : String(pinned)}
            title="A pinned version runs as it was saved; latest follows every save"
            onChange={(event) => onChange({ version: event.target.value === "" ? null : Number(event.target.value) })}
          >
            <option value="">latest</option>
            {versionChoices.map((version) => (
              <option key={version} value={String(version)}>
                v{version}
              </option>
            ))}
          </select>
        </div>
      ) : null}
    </>
  );
}

/** One input or output of the workflow: a handle, its name and type; red when the workflow has it no more. */
function PortRow({ port, side, gone }: { port: Port; side: "input" | "output"; gone?: boolean }) {
  const label = (
    <span className={`psy-row__label${gone ? " psy-port--gone" : ""}`} title={gone ? "Wired, but the workflow has no such port now" : port.type}>
      {port.name}
      <span className="psy-type">{gone ? "gone" : typeLabel(port.type)}</span>
    </span>
  );
  return side === "input" ? (
    <div className="psy-row psy-row--input" data-input-row={port.name} data-testid="subgraph-input" data-port={port.name}>
      <Handle type="target" position={Position.Left} id={port.name} className="psy-handle" />
      {label}
    </div>
  ) : (
    <div className="psy-row psy-row--output" data-testid="subgraph-output" data-port={port.name}>
      {label}
      <Handle type="source" position={Position.Right} id={port.name} className="psy-handle" />
    </div>
  );
}

/**
 * The node's handles: one per port, plus one per wire to a port the workflow no
 * longer has (so the wire still shows, and the node can say what changed).
 */
export function PortRows({ id, inputs, outputs }: { id: string; inputs: Port[]; outputs: Port[] }) {
  const inbound = useNodeConnections({ handleType: "target" });
  const outbound = useNodeConnections({ handleType: "source" });
  const goneIn = useMemo(() => [...new Set(inbound.map((c) => c.targetHandle ?? ""))].filter((h) => !inputs.some((p) => p.name === h)), [inbound, inputs]);
  const goneOut = useMemo(() => [...new Set(outbound.map((c) => c.sourceHandle ?? ""))].filter((h) => !outputs.some((p) => p.name === h)), [outbound, outputs]);
  // Handles come from the workflow: re-measure them when it changes (not on mount).
  const shape = [...inputs.map((p) => p.name), "|", ...goneIn, "|", ...outputs.map((p) => p.name), "|", ...goneOut].join("\u0000");
  const updateInternals = useUpdateNodeInternals();
  const firstShape = useRef(shape);
  useEffect(() => {
    if (firstShape.current !== shape) updateInternals(id);
  }, [id, shape, updateInternals]);
  return (
    <>
      {inputs.map((port) => (
        <PortRow key={`in-${port.name}`} port={port} side="input" />
      ))}
      {goneIn.map((name) => (
        <PortRow key={`gone-in-${name}`} port={{ name, type: "Any" }} side="input" gone />
      ))}
      {outputs.map((port) => (
        <PortRow key={`out-${port.name}`} port={port} side="output" />
      ))}
      {goneOut.map((name) => (
        <PortRow key={`gone-out-${name}`} port={{ name, type: "Any" }} side="output" gone />
      ))}
    </>
  );
}

/** Where the workflow stands: loading, or what is wrong with the node against it, with a way to look again. */
export function WorkflowNotes({ data, loaded, problems }: { data: WorkflowRefData; loaded: LoadedWorkflow | undefined; problems: string[] }) {
  if (!data.workflow && problems.length === 0) return null;
  return (
    <>
      {loaded?.status === "loading" ? <div className="psy-run-note psy-node__note">{`Loading '${data.workflow}'…`}</div> : null}
      {problems.length > 0 ? (
        <div className="psy-node__problems" role="alert" data-testid="subgraph-problem">
          {problems.map((problem) => (
            <div key={problem}>{problem}</div>
          ))}
          {data.workflow ? (
            <button type="button" className="psy-button psy-button--small nodrag" onClick={() => void loadWorkflow(data.workflow, data.version, true)}>
              Look again
            </button>
          ) : null}
        </div>
      ) : null}
    </>
  );
}

/** The header's button that opens the workflow in the editor (a breadcrumb leads back). */
export function OpenButton({ id, data }: { id: string; data: WorkflowRefData }) {
  if (!data.workflow) return null;
  return (
    <button
      type="button"
      className="psy-badge psy-badge--open nodrag"
      data-testid="open-subgraph"
      title={`Open '${data.workflow}' to edit it (double-click the title too)`}
      onClick={() => void openSubgraph(id)}
    >
      open ↗
    </button>
  );
}

export interface WorkflowNodeFrameProps {
  id: string;
  data: WorkflowRefData;
  selected?: boolean;
  title: string;
  tooltip: string;
  view: WorkflowNodeView<WorkflowRefData>;
  /** What picking another workflow (or version) changes. */
  onWorkflow: WorkflowPickerProps["onChange"];
  inputs: Port[];
  outputs: Port[];
  /** The node's own settings, between the picker and the notes. */
  children?: ReactNode;
}

/** A Subgraph, Map or Loop node: the shell, the workflow picker, its own settings, the notes and the port rows. */
export function WorkflowNodeFrame({ id, data, selected, title, tooltip, view, onWorkflow, inputs, outputs, children }: WorkflowNodeFrameProps) {
  return (
    <NodeShell
      id={id}
      kind="workflow"
      title={title}
      subtitle={workflowSubtitle(data, view.loaded)}
      tooltip={tooltip}
      badges={<OpenButton id={id} data={data} />}
      selected={selected}
      invalid={view.flagged || view.problems.length > 0}
      onOpen={data.workflow ? () => void openSubgraph(id) : undefined}
    >
      <div className="psy-node__body">
        <WorkflowPicker id={id} data={data} onChange={onWorkflow} />
        {children}
        <WorkflowNotes data={data} loaded={view.loaded} problems={view.problems} />
        <PortRows id={id} inputs={inputs} outputs={outputs} />
      </div>
    </NodeShell>
  );
}

interface SettingRowProps {
  /** The control's element id. */
  id: string;
  label: string;
  title?: string;
  testId: string;
}

/** A row picking one of the workflow's input or output names (the one picked is kept listed, gone or not). */
export function NameSelect({ id, label, title, testId, placeholder, names, value, onChange }: SettingRowProps & { placeholder: string; names: string[]; value: string; onChange: (name: string) => void }) {
  return (
    <div className="psy-row">
      <label className="psy-row__label" htmlFor={id} title={title}>
        {label}
      </label>
      <select id={id} className="psy-input nodrag" data-testid={testId} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{placeholder}</option>
        {[...new Set([...names, ...(value ? [value] : [])])].map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A row for a whole number of at least 1 (what else is typed counts as 1). */
export function CountInput({ id, label, title, testId, value, onChange }: SettingRowProps & { value: number; onChange: (count: number) => void }) {
  return (
    <div className="psy-row">
      <label className="psy-row__label" htmlFor={id} title={title}>
        {label}
      </label>
      <input
        id={id}
        className="psy-input nodrag"
        type="number"
        min={1}
        step={1}
        data-testid={testId}
        value={value}
        onChange={(event) => onChange(Math.max(1, Math.round(Number(event.target.value) || 1)))}
      />
    </div>
  );
}
