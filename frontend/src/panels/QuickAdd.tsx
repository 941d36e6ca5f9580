// Quick-add: type to find a node, Enter adds it where the box was opened.
import { useEffect, useMemo, useRef, useState } from "react";
import type { DragPayload } from "../lib/model";
import { useCatalogStore } from "../store/catalogStore";
import { allItems, matches } from "./libraryItems";

export interface QuickAddProps {
  at: { x: number; y: number };
  onPick: (payload: DragPayload) => void;
  onClose: () => void;
}

export function QuickAdd({ at, onPick, onClose }: QuickAddProps) {
  const schemas = useCatalogStore((s) => s.schemas);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const items = useMemo(() => allItems(schemas).filter((item) => matches(item, query)).slice(0, 12), [schemas, query]);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setActive(0), [query]);

  return (
    <div className="psy-quick" style={{ left: at.x, top: at.y }} data-testid="quick-add" onMouseDown={(e) => e.stopPropagation()}>
      <input
        ref={input}
        className="psy-input"
        placeholder="Add a node…"
        data-testid="quick-add-input"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
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
      <ul className="psy-quick__list">
        {items.map((item, index) => (
          <li
            key={item.key}
            className={`psy-quick__item${index === active ? " is-active" : ""}`}
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
        {items.length === 0 ? <li className="psy-quick__none">No node matches “{query}”</li> : null}
      </ul>
    </div>
  );
}
