// Quick-add: type to find a node, Enter adds it where the box was opened. Opened
// by a wire dropped on the canvas, it lists only the nodes that can take the wire.
import { useEffect, useMemo, useRef, useState } from "react";
import type { DragPayload } from "../lib/model";
import { rankItems } from "../lib/quickAddRank";
import { typeLabel } from "../lib/typecheck";
import { fitForNew } from "../lib/wireFit";
import { schemaOf, useCatalogStore } from "../store/catalogStore";
import type { QuickAddAt } from "../store/uiStore";
import { allItems } from "./libraryItems";

export interface QuickAddProps {
  at: QuickAddAt;
  onPick: (payload: DragPayload) => void;
  onClose: () => void;
}

const SHOWN = 12;
const BOX = { width: 320, height: 380 };

/** The box where it was opened, moved in from the window's edges. */
function boxPosition(at: QuickAddAt): { left: number; top: number } {
  const left = Math.max(8, Math.min(at.x, window.innerWidth - BOX.width - 8));
  const top = Math.max(8, Math.min(at.y, window.innerHeight - BOX.height - 8));
  return { left, top };
}

export function QuickAdd({ at, onPick, onClose }: QuickAddProps) {
  const schemas = useCatalogStore((s) => s.schemas);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const wire = at.wire;
  const candidates = useMemo(
    () => allItems(schemas).filter((item) => !wire || fitForNew(item.payload, wire, schemaOf) !== null),
    [schemas, wire],
  );
  const items = useMemo(() => rankItems(candidates, query).slice(0, SHOWN), [candidates, query]);
  useEffect(() => input.current?.focus(), []);

  return (
    <div className="psy-quick" style={boxPosition(at)} data-testid="quick-add" data-wire={wire ? "true" : undefined} onMouseDown={(e) => e.stopPropagation()}>
      {wire ? (
        <div className="psy-quick__wire" data-testid="quick-add-wire">
          {wire.handleType === "source" ? "Takes" : "Feeds"} {wire.nodeId}
          {wire.handleId && wire.handleId !== "output" ? ` · ${wire.handleId}` : ""} <span className="psy-type">{typeLabel(wire.valueType)}</span>
        </div>
      ) : null}
      <input
        ref={input}
        className="psy-input"
        placeholder={wire ? "Add a node wired to it…" : "Add a node…"}
        aria-label="Find a node to add"
        data-testid="quick-add-input"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
        }}
        onBlur={() => setTimeout(onClose, 120)}
        onKeyDown={(event) => {
          if (event.key === "Escape") onClose();
          else if (event.key === "ArrowDown") setActive((a) => Math.min(items.length - 1, a + 1));
          else if (event.key === "ArrowUp") setActive((a) => Math.max(0, a - 1));
          else if (event.key === "Enter" && items[active]) onPick(items[active].payload);
          else return;
          event.preventDefault();
        }}
      />
      <ul className="psy-quick__list" role="listbox" aria-label="Nodes">
        {items.map((item, index) => (
          <li
            key={item.key}
            className={`psy-quick__item${index === active ? " is-active" : ""}`}
            role="option"
            aria-selected={index === active}
            data-testid="quick-add-item"
            data-node-name={item.name}
            onMouseEnter={() => setActive(index)}
            onMouseDown={(event) => {
              event.preventDefault();
              onPick(item.payload);
            }}
          >
            <span>{item.name}</span>
            <span className="psy-quick__sig">{item.signature ?? item.description}</span>
          </li>
        ))}
        {items.length === 0 ? (
          <li className="psy-quick__none">{wire && candidates.length === 0 ? "No node can take this wire" : `No node matches “${query}”`}</li>
        ) : null}
      </ul>
    </div>
  );
}
