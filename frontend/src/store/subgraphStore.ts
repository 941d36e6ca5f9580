// The saved workflows the canvas's Subgraph, Map and Loop nodes run: fetched once
// per name (or pinned version), again before a run, when the editor saves one, or
// when a node asks; and their interfaces (inputs, outputs) computed from them, so
// the type check and the nodes' handles follow the workflow as it is now.
import { create } from "zustand";
import { ApiError } from "../api/config";
import type { NodeSchema } from "../api/types";
import { getWorkflow, getWorkflowVersion, listWorkflows } from "../api/workflows";
import { isWorkflowNode, type PsyEdge, type PsyNode, type WorkflowRefData } from "../lib/model";
import { graphFromWorkflow } from "../lib/serialize";
import { workflowInterface, type LoadedWorkflow, type WorkflowInterface } from "../lib/workflowInterface";

export type { LoadedWorkflow };
import { useCatalogStore } from "./catalogStore";

interface SubgraphState {
  byKey: Record<string, LoadedWorkflow>;
  /** The saved workflows' names (GET /workflows), for the nodes' pickers; null until listed. */
  names: string[] | null;
  put: (key: string, loaded: LoadedWorkflow) => void;
  setNames: (names: string[]) => void;
}

export const useSubgraphStore = create<SubgraphState>((set, get) => ({
  byKey: {},
  names: null,
  put: (key, loaded) => set({ byKey: { ...get().byKey, [key]: loaded } }),
  setNames: (names) => set({ names }),
}));

// Every picker on the canvas lists the workflows when it shows: one request serves them all.
const NAMES_FRESH_MS = 3000;
let namesAt = 0;
let namesPending: Promise<void> | null = null;

/** List the saved workflows again, unless that was just done. */
export function loadWorkflowNames(): Promise<void> {
  if (namesPending) return namesPending;
  if (Date.now() - namesAt < NAMES_FRESH_MS) return Promise.resolve();
  namesPending = listWorkflows()
    .then((all) => {
      namesAt = Date.now();
      useSubgraphStore.getState().setNames(all.map((w) => w.name));
    })
    .catch(() => undefined) // the picker keeps what it had; the node says when its workflow is missing
    .finally(() => {
      namesPending = null;
    });
  return namesPending;
}

/** "name@3", or "name@latest" for the newest version. */
export function refKey(name: string, version?: number | null): string {
  return `${name}@${typeof version === "number" ? version : "latest"}`;
}

export function keyOf(data: WorkflowRefData): string {
  return refKey(data.workflow, data.version);
}

const inFlight = new Map<string, Promise<LoadedWorkflow>>();

/** Fetch a workflow (again when `force`); the answer is kept in the store. */
export function loadWorkflow(name: string, version?: number | null, force = false): Promise<LoadedWorkflow> {
  const key = refKey(name, version);
  const known = useSubgraphStore.getState().byKey[key];
  if (known && known.status !== "loading" && !force) return Promise.resolve(known);
  const pending = inFlight.get(key);
  if (pending) return pending;
  if (!known) useSubgraphStore.getState().put(key, { status: "loading" });
  const work = (typeof version === "number" ? getWorkflowVersion(name, version) : getWorkflow(name))
    .then((record): LoadedWorkflow => ({ status: "ready", graph: graphFromWorkflow(record.workflow), version: record.version }))
    .catch((error: unknown): LoadedWorkflow => {
      if (error instanceof ApiError && error.status === 404) return { status: "missing" };
      return { status: "error", error: error instanceof Error ? error.message : String(error) };
    })
    .then((loaded) => {
      inFlight.delete(key);
      useSubgraphStore.getState().put(key, loaded);
      // The workflows it runs in turn: their interfaces type its own.
      for (const node of loaded.graph?.nodes ?? []) {
        if (isWorkflowNode(node) && node.data.workflow) void loadWorkflow(node.data.workflow, node.data.version);
      }
      return loaded;
    });
  inFlight.set(key, work);
  return work;
}

/** Fetch again every workflow these nodes run (before a run: what runs is what is saved now). */
export async function refreshWorkflows(nodes: PsyNode[]): Promise<void> {
  const refs = new Map<string, WorkflowRefData>();
  for (const node of nodes) if (isWorkflowNode(node) && node.data.workflow) refs.set(keyOf(node.data), node.data);
  await Promise.all([...refs.values()].map((data) => loadWorkflow(data.workflow, data.version, true)));
}

/** A workflow the editor just saved: its newest version is this graph. */
export function primeWorkflow(name: string, version: number, graph: { nodes: PsyNode[]; edges: PsyEdge[] }): void {
  const loaded: LoadedWorkflow = { status: "ready", graph, version };
  const names = useSubgraphStore.getState().names;
  if (names && !names.includes(name)) useSubgraphStore.getState().setNames([...names, name].sort());
  useSubgraphStore.getState().put(refKey(name), loaded);
  useSubgraphStore.getState().put(refKey(name, version), loaded);
}

// Interfaces are computed once per graph, catalog (a pack edit can change a type)
// and set of loaded workflows (those it runs in turn type its own).
const computed = new WeakMap<object, { byName: object; byKey: object; iface: WorkflowInterface }>();
const computing = new Set<string>();

/** The inputs and outputs of the workflow `data` names, from these loaded workflows and catalog. */
export function interfaceFrom(
  byKey: Record<string, LoadedWorkflow>,
  byName: Record<string, NodeSchema>,
  data: WorkflowRefData,
): WorkflowInterface | undefined {
  const key = keyOf(data);
  const graph = byKey[key]?.graph;
  // Not loaded, or a workflow that runs itself (the run refuses it; the node says why).
  if (!graph || computing.has(key)) return undefined;
  const memo = computed.get(graph);
  if (memo && memo.byName === byName && memo.byKey === byKey) return memo.iface;
  computing.add(key);
  try {
    const iface = workflowInterface(
      graph.nodes,
      graph.edges,
      (name) => byName[name],
      (node) => interfaceFrom(byKey, byName, node.data),
    );
    computed.set(graph, { byName, byKey, iface });
    return iface;
  } finally {
    computing.delete(key);
  }
}

/** The inputs and outputs of what a node runs; undefined while it is not loaded. */
export function interfaceOf(node: { data: WorkflowRefData }): WorkflowInterface | undefined {
  return interfaceFrom(useSubgraphStore.getState().byKey, useCatalogStore.getState().byName, node.data);
}
