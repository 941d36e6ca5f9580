// A run's cards: one per canvas node in execution order, with the nodes that ran
// inside a subgraph, map or loop (path ids) under the card of the node they belong to.
import { memo, useMemo } from "react";
import { groupCards } from "../lib/nestedRun";
import type { StatusEntry } from "../store/runStore";
import { StatusCard } from "./StatusCard";

const NONE: StatusEntry[] = [];

function StatusCardsImpl({ entries, onFocus, testId }: { entries: StatusEntry[]; onFocus?: (nodeId: string) => void; testId?: string }) {
  const { top, inner } = useMemo(() => groupCards(entries), [entries]);
  return (
    <ol className="psy-status__cards" data-testid={testId}>
      {top.map((entry) => (
        <StatusCard key={entry.key} entry={entry} onFocus={onFocus} inner={(entry.node_id && inner.get(entry.node_id)) || NONE} />
      ))}
    </ol>
  );
}

export const StatusCards = memo(StatusCardsImpl);
