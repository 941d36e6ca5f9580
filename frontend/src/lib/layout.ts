// Positions for a graph sent without them (a run from the CLI or the API): each
// node one column right of what feeds it, in the order the graph lists them.
import type { Point } from "./placement";

const COLUMN = 300;
const ROW = 190;

export function layeredPositions(nodeIds: string[], edges: Array<{ source: string; target: string }>): Record<string, Point> {
  const depth: Record<string, number> = Object.fromEntries(nodeIds.map((id) => [id, 0]));
  // Longest path from a source; a cycle (refused anyway) stops after as many passes as nodes.
  for (let pass = 0; pass < nodeIds.length; pass++) {
    let moved = false;
    for (const { source, target } of edges) {
      if (!(source in depth) || !(target in depth)) continue;
      if (depth[target] < depth[source] + 1) {
        depth[target] = depth[source] + 1;
        moved = true;
      }
    }
    if (!moved) break;
  }
  const rows: Record<number, number> = {};
  const positions: Record<string, Point> = {};
  for (const id of nodeIds) {
    const column = depth[id];
    const row = rows[column] ?? 0;
    rows[column] = row + 1;
    positions[id] = { x: column * COLUMN, y: row * ROW };
  }
  return positions;
}
