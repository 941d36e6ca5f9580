// The node catalog from the gateway: schemas, nodepack reports, load state.
import { create } from "zustand";
import type { Clash, MissingPackage, NodeSchema, PackReport } from "../api/types";

export type CatalogStatus = "loading" | "ready" | "unreachable" | "unauthorized";

export interface CatalogState {
  schemas: NodeSchema[];
  byName: Record<string, NodeSchema>;
  packs: PackReport[];
  clashes: Clash[];
  status: CatalogStatus;
  error: string | null;
  attempt: number;
  nextRetryAt: number | null;
  revision: number | null;
  setCatalog: (schemas: NodeSchema[], packs: PackReport[], clashes: Clash[]) => void;
  setFailure: (error: string, attempt: number, nextRetryAt: number, unauthorized?: boolean) => void;
  setRevision: (revision: number) => void;
  /** Load the catalog now (set by useSchema). */
  reload: () => void;
  setReload: (reload: () => void) => void;
}

export const useCatalogStore = create<CatalogState>((set) => ({
  schemas: [],
  byName: {},
  packs: [],
  clashes: [],
  status: "loading",
  error: null,
  attempt: 0,
  nextRetryAt: null,
  revision: null,
  setCatalog: (schemas, packs, clashes) =>
    set({
      schemas,
      byName: Object.fromEntries(schemas.map((s) => [s.name, s])),
      packs,
      clashes,
      status: "ready",
      error: null,
      attempt: 0,
      nextRetryAt: null,
    }),
  setFailure: (error, attempt, nextRetryAt, unauthorized = false) =>
    set((state) => ({
      error,
      attempt,
      nextRetryAt,
      // A catalog we already have stays usable while the backend is away.
      status: unauthorized ? "unauthorized" : state.schemas.length > 0 && state.status === "ready" ? "ready" : "unreachable",
    })),
  setRevision: (revision) => set({ revision }),
  reload: () => undefined,
  setReload: (reload) => set({ reload }),
}));

export function schemaOf(name: string): NodeSchema | undefined {
  return useCatalogStore.getState().byName[name];
}

const NONE: MissingPackage[] = [];

/** The packages a node needs that are not installed (its pack's PSYNAPSE_REQUIRES), or none. */
export function missingFor(packs: PackReport[], functionName: string): MissingPackage[] {
  for (const pack of packs) {
    if (!pack.missing?.length || !pack.nodes.includes(functionName)) continue;
    const found = pack.missing.filter((m) => m.nodes.includes(functionName));
    if (found.length) return found;
  }
  return NONE;
}
