// Partial runs (Run to here, Run selected): what a run to some nodes covers, by the
// gateway's rule (the targets and every node wired into them, however far back), so
// the editor checks only that part before it runs and leaves the rest as it was.
import type { Issue } from "./validate";

/** A run to some nodes: the nodes asked for, and every node it runs. */
export interface PartialRun {
  targets: string[];
  /** The targets and their ancestors. */
  nodes: string[];
}

type Wire = { source: string; target: string };

export function partialRun(targets: string[], edges: Wire[]): PartialRun {
  const feeders = new Map<string, string[]>();
  for (const edge of edges) feeders.set(edge.target, [...(feeders.get(edge.target) ?? []), edge.source]);
  const wanted = [...new Set(targets)];
  const needed = new Set(wanted);
  const frontier = [...wanted];
  while (frontier.length > 0) {
    for (const source of feeders.get(frontier.pop() as string) ?? []) {
      if (needed.has(source)) continue;
      needed.add(source);
      frontier.push(source);
    }
  }
  return { targets: wanted, nodes: [...needed] };
}

/**
 * Whether a node's state belongs to the partial run: one of its nodes, or a node
 * inside one of them (a subgraph's nodes report as "subgraph/inner").
 */
export function inPartialRun(part: PartialRun, nodeId: string): boolean {
  return part.nodes.some((id) => nodeId === id || nodeId.startsWith(`${id}/`));
}

/** The problems that stop this run: those of the nodes it runs, and of the graph as a whole. */
export function issuesOfPart(issues: Issue[], part: PartialRun | null): Issue[] {
  return part ? issues.filter((issue) => issue.nodeId === null || inPartialRun(part, issue.nodeId)) : issues;
}

/** "F3" / "F3, W1" / "F3, W1 and 2 more": what the execution panel says a partial run ran to. */
export function targetsText(targets: string[], shown = 3): string {
  if (targets.length <= shown) return targets.join(", ");
  return `${targets.slice(0, shown).join(", ")} and ${targets.length - shown} more`;
}

/**
 * What a partial run starts from: the previous run's state (cards, canvas statuses,
 * view values) of the nodes it does not run, which keep it, their cards marked
 * `carried`; the rest starts afresh.
 */
export function carriedOver<Entry extends { node_id: string | null; carried?: boolean }, Live>(
  previous: { entries: Entry[]; live: Record<string, Live>; viewResults: Record<string, unknown> },
  part: PartialRun,
): { entries: Entry[]; index: Record<string, number>; live: Record<string, Live>; viewResults: Record<string, unknown> } {
  const kept = (id: string) => !inPartialRun(part, id);
  const entries = previous.entries
    .filter((entry) => entry.node_id !== null && kept(entry.node_id))
    .map((entry) => ({ ...entry, carried: true }));
  const index = Object.fromEntries(entries.map((entry, at) => [entry.node_id as string, at]));
  const live = Object.fromEntries(Object.entries(previous.live).filter(([id]) => kept(id)));
  const viewResults = Object.fromEntries(Object.entries(previous.viewResults).filter(([id]) => kept(id)));
  return { entries, index, live, viewResults };
}
