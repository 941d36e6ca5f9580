// Loads the catalog with retry and exponential backoff (0.5 s, 1 s, 2 s ... 10 s).
import { fetchNodepacks, fetchSchema } from "./client";
import { ApiError } from "./config";
import type { NodepacksResponse, NodeSchema } from "./types";

export interface LoaderDeps {
  loadSchema: (signal: AbortSignal) => Promise<NodeSchema[]>;
  loadPacks: (signal: AbortSignal) => Promise<NodepacksResponse>;
  onReady: (schemas: NodeSchema[], packs: NodepacksResponse) => void;
  onFailure: (error: string, attempt: number, nextRetryAt: number, unauthorized: boolean) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface SchemaLoader {
  /** Load now (again), resetting the backoff. */
  reload: () => void;
  stop: () => void;
}

export function backoffDelay(attempt: number, base = 500, max = 10000): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

export function createSchemaLoader(deps: LoaderDeps): SchemaLoader {
  const base = deps.baseDelayMs ?? 500;
  const max = deps.maxDelayMs ?? 10000;
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let stopped = false;

  const load = async () => {
    if (timer) clearTimeout(timer);
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    try {
      // Packs are optional detail: a failing /nodepacks must not hide the nodes.
      const [schemas, packs] = await Promise.all([
        deps.loadSchema(mine.signal),
        deps.loadPacks(mine.signal).catch(() => ({ packs: [], clashes: [] })),
      ]);
      if (mine.signal.aborted || stopped) return;
      attempt = 0;
      deps.onReady(schemas, packs);
    } catch (error) {
      if (mine.signal.aborted || stopped) return;
      attempt += 1;
      const delay = backoffDelay(attempt, base, max);
      const unauthorized = error instanceof ApiError && error.status === 401;
      deps.onFailure((error as Error).message || String(error), attempt, Date.now() + delay, unauthorized);
      timer = setTimeout(() => void load(), delay);
    }
  };

  void load();
  return {
    reload() {
      if (stopped) return;
      attempt = 0;
      void load();
    },
    stop() {
      stopped = true;
      controller?.abort();
      if (timer) clearTimeout(timer);
    },
  };
}

export const defaultLoaderDeps = { loadSchema: fetchSchema, loadPacks: fetchNodepacks };
