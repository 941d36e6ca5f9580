// Quick-add's order: what the user typed matched against node names first, the
// way ComfyUI's and n8n's search boxes do: "list" finds List before Variable
// (whose description mentions lists) and before list_length.

export interface Rankable {
  name: string;
  description: string;
  pack?: string;
}

/** Lower is better; null when the item does not match at all. */
export function matchScore(item: Rankable, query: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const name = item.name.toLowerCase();
  if (name === q) return 0;
  if (name.startsWith(q)) return 1;
  if (words(item.name).some((word) => word.startsWith(q))) return 2;
  if (name.includes(q)) return 3;
  if (item.description.toLowerCase().includes(q) || (item.pack ?? "").toLowerCase().includes(q)) return 4;
  return null;
}

/** `round_number` -> round, number; `CountWithProgress` -> count, with, progress. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[\s_\-.]+/)
    .filter(Boolean);
}

/** The items that match, best first; ties keep shorter names first, then the given order. */
export function rankItems<T extends Rankable>(items: T[], query: string): T[] {
  const scored: Array<{ item: T; score: number; at: number }> = [];
  items.forEach((item, at) => {
    const score = matchScore(item, query);
    if (score !== null) scored.push({ item, score, at });
  });
  const typed = query.trim() !== "";
  scored.sort((a, b) => a.score - b.score || (typed ? a.item.name.length - b.item.name.length : 0) || a.at - b.at);
  return scored.map((entry) => entry.item);
}
