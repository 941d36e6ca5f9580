import { useRunStore, type StatusEntry } from "../store/runStore";

/** The canvas shows the run of its own graph only (not a Re-run of another graph). */
export function useNodeEntry(id: string): StatusEntry | undefined {
  return useRunStore((s) => (s.detached ? undefined : s.entries[s.index[id]]));
}
