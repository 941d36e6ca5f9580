// What survives a reload: the canvas (localStorage), which saved workflow it
// is, the current run id (localStorage, until the run ends) and run env vars
// (sessionStorage only).
import type { PsyEdge, PsyNode } from "./model";
import { exportWorkflow, parseWorkflow } from "./serialize";

export const WORKFLOW_KEY = "psynapse.workflow";
export const RUN_KEY = "psynapse.currentRun";
export const ENV_KEY = "psynapse.envVars";
export const OPEN_WORKFLOW_KEY = "psynapse.openWorkflow";
export const PREFS_KEY = "psynapse.prefs";
export const SUBGRAPH_STACK_KEY = "psynapse.subgraphStack";

function safe<T>(work: () => T, fallback: T): T {
  try {
    return work();
  } catch {
    return fallback;
  }
}

export function loadAutosave(): { nodes: PsyNode[]; edges: PsyEdge[] } | null {
  return safe(() => {
    const text = localStorage.getItem(WORKFLOW_KEY);
    return text ? parseWorkflow(text) : null;
  }, null);
}

export function saveAutosave(nodes: PsyNode[], edges: PsyEdge[]): void {
  safe(() => localStorage.setItem(WORKFLOW_KEY, JSON.stringify(exportWorkflow(nodes, edges))), undefined);
}

export function loadRunId(): string | null {
  return safe(() => localStorage.getItem(RUN_KEY), null);
}

export function saveRunId(runId: string | null): void {
  safe(() => (runId ? localStorage.setItem(RUN_KEY, runId) : localStorage.removeItem(RUN_KEY)), undefined);
}

/** The saved workflow on the canvas: its name, version, and the signature it was saved with. */
export interface OpenWorkflow {
  name: string;
  version: number | null;
  signature: string;
}

export function loadOpenWorkflow(): OpenWorkflow | null {
  return safe(() => {
    const parsed = JSON.parse(localStorage.getItem(OPEN_WORKFLOW_KEY) ?? "null") as Partial<OpenWorkflow> | null;
    if (!parsed || typeof parsed.name !== "string" || typeof parsed.signature !== "string") return null;
    return { name: parsed.name, version: typeof parsed.version === "number" ? parsed.version : null, signature: parsed.signature };
  }, null);
}

export function saveOpenWorkflow(open: OpenWorkflow | null): void {
  safe(() => (open ? localStorage.setItem(OPEN_WORKFLOW_KEY, JSON.stringify(open)) : localStorage.removeItem(OPEN_WORKFLOW_KEY)), undefined);
}

/**
 * The canvases left to open a subgraph (the breadcrumb), outermost first: kept with
 * the canvas, so a reload inside a subgraph still leads back. Undo histories and
 * runs are not kept (they can be large).
 */
export function loadSubgraphStack<T>(): T[] {
  return safe(() => {
    const parsed: unknown = JSON.parse(localStorage.getItem(SUBGRAPH_STACK_KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.map((raw: Record<string, unknown>) => {
      const graph = parseWorkflow(JSON.stringify(raw.graph));
      return { ...raw, ...graph, past: [], future: [], run: null } as T;
    });
  }, []);
}

export function saveSubgraphStack(levels: Array<{ nodes: PsyNode[]; edges: PsyEdge[]; viewport: unknown; open: unknown; nodeId: string }>): void {
  safe(() => {
    if (levels.length === 0) {
      localStorage.removeItem(SUBGRAPH_STACK_KEY);
      return;
    }
    const kept = levels.map(({ nodes, edges, viewport, open, nodeId }) => ({ graph: exportWorkflow(nodes, edges), viewport, open, nodeId }));
    localStorage.setItem(SUBGRAPH_STACK_KEY, JSON.stringify(kept));
  }, undefined);
}

export interface EnvVar {
  key: string;
  value: string;
}

function isEnvVar(value: unknown): value is EnvVar {
  if (typeof value !== "object" || value === null) return false;
  const { key, value: text } = value as Record<string, unknown>;
  return typeof key === "string" && typeof text === "string";
}

export function loadEnvVars(): EnvVar[] {
  return safe(() => {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(ENV_KEY) ?? "[]");
    return Array.isArray(parsed) ? (parsed as unknown[]).filter(isEnvVar) : [];
  }, []);
}

export function saveEnvVars(vars: EnvVar[]): void {
  safe(() => sessionStorage.setItem(ENV_KEY, JSON.stringify(vars)), undefined);
}

export function envVarsRecord(vars: EnvVar[] = loadEnvVars()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of vars) if (key.trim()) out[key.trim()] = value;
  return out;
}

/** Editor preferences kept in this browser: the theme, whether the minimap is open. */
export interface Prefs {
  theme: "system" | "light" | "dark";
  minimap: boolean;
}

const DEFAULT_PREFS: Prefs = { theme: "system", minimap: true };

export function loadPrefs(): Prefs {
  return safe(() => {
    const saved = JSON.parse(localStorage.getItem(PREFS_KEY) ?? "{}") as Partial<Prefs>;
    return {
      theme: saved.theme === "light" || saved.theme === "dark" ? saved.theme : "system",
      minimap: saved.minimap !== false,
    };
  }, DEFAULT_PREFS);
}

export function savePrefs(prefs: Prefs): void {
  safe(() => localStorage.setItem(PREFS_KEY, JSON.stringify(prefs)), undefined);
}
