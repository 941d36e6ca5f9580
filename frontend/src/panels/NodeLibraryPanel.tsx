// The node library: built-ins and every schema by nodepack, searchable,
// draggable onto the canvas (or double-click / Enter to add in the middle).
import { memo, useMemo, useState, type DragEvent } from "react";
import type { PackReport } from "../api/types";
import { DRAG_MIME, type DragPayload } from "../lib/model";
import { useCatalogStore } from "../store/catalogStore";
import { BackendState } from "./BackendState";
import { BUILTIN_ITEMS, groupByPack, matches, type LibraryItem } from "./libraryItems";
import { PackErrors, PackMissing, PackUnserved } from "./PackErrors";

export interface NodeLibraryPanelProps {
  onAdd: (payload: DragPayload) => void;
}

function needsOf(report: PackReport | undefined, name: string): string | undefined {
  const missing = report?.missing?.filter((m) => m.nodes.includes(name)) ?? [];
  return missing.length ? missing.map((m) => `${m.module} (${m.install})`).join(", ") : undefined;
}

function onDragStart(event: DragEvent, item: LibraryItem) {
  event.dataTransfer.setData(DRAG_MIME, JSON.stringify(item.payload));
  event.dataTransfer.setData("text/plain", item.name);
  event.dataTransfer.effectAllowed = "move";
}

const LibraryEntry = memo(function LibraryEntry({ item, kind, onAdd, needs }: { item: LibraryItem; kind: string; onAdd: (p: DragPayload) => void; needs?: string }) {
  const help = item.signature ? `${item.name}${item.signature}\n\n${item.description}` : item.description;
  return (
    <li
      className={`psy-lib-item psy-lib-item--${kind}${needs ? " is-missing" : ""}`}
      data-testid="library-item"
      data-node-name={item.name}
      data-missing={needs ? "true" : undefined}
      title={needs ? `${help}\n\nNeeds ${needs}` : help}
      draggable
      tabIndex={0}
      onDragStart={(event) => onDragStart(event, item)}
      onDoubleClick={() => onAdd(item.payload)}
      onKeyDown={(event) => {
        if (event.key === "Enter") onAdd(item.payload);
      }}
    >
      <span className="psy-lib-item__name">{item.name}</span>
      {item.progress ? <span className="psy-badge psy-badge--progress">progress</span> : null}
      {item.stream ? <span className="psy-badge psy-badge--stream">stream</span> : null}
      {needs ? <span className="psy-badge psy-badge--missing">needs package</span> : null}
      {item.signature ? <span className="psy-lib-item__sig">{item.signature}</span> : null}
    </li>
  );
});

function NodeLibraryPanelImpl({ onAdd }: NodeLibraryPanelProps) {
  const [query, setQuery] = useState("");
  const [collapsed, setCollapsed] = useState<Record<string, boolean>>({});
  const schemas = useCatalogStore((s) => s.schemas);
  const packs = useCatalogStore((s) => s.packs);
  const clashes = useCatalogStore((s) => s.clashes);
  const groups = useMemo(() => groupByPack(schemas, packs), [schemas, packs]);
  const builtins = BUILTIN_ITEMS.filter((item) => matches(item, query));
  const searching = query.trim() !== "";
  const failed = packs.filter((p) => p.status === "error");
  const incomplete = packs.filter((p) => p.status !== "error" && p.missing?.length);

  return (
    <aside className="psy-library" data-testid="library">
      <div className="psy-panel__header">
        <h2 className="psy-panel__title">Nodes</h2>
        <span className="psy-muted psy-small">{schemas.length} functions</span>
      </div>
      <input
        className="psy-input psy-library__search"
        type="search"
        placeholder="Search nodes…"
        aria-label="Search nodes"
        data-testid="library-search"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <BackendState />
      {failed.length > 0 ? (
        <button
          type="button"
          className="psy-failed-packs"
          data-testid="failed-packs"
          onClick={() => document.querySelector(`[data-pack="${CSS.escape(failed[0].name)}"]`)?.scrollIntoView({ behavior: "smooth" })}
        >
          ⚠ {failed.length === 1 ? `Nodepack “${failed[0].name}” failed to load` : `${failed.length} nodepacks failed to load`}
        </button>
      ) : null}
      {incomplete.length > 0 ? (
        <button
          type="button"
          className="psy-failed-packs psy-failed-packs--missing"
          data-testid="incomplete-packs"
          onClick={() => document.querySelector(`[data-pack="${CSS.escape(incomplete[0].name)}"]`)?.scrollIntoView({ behavior: "smooth" })}
        >
          ⚠ {incomplete.length === 1 ? `Nodepack “${incomplete[0].name}” needs a package` : `${incomplete.length} nodepacks need packages`}
        </button>
      ) : null}
      <div className="psy-library__groups">
        {builtins.length > 0 ? (
          <section className="psy-lib-group">
            <h3 className="psy-lib-group__title">Built-in</h3>
            <ul className="psy-lib-list">
              {builtins.map((item) => (
                <LibraryEntry key={item.key} item={item} kind={item.payload.type.replace("Node", "")} onAdd={onAdd} />
              ))}
            </ul>
          </section>
        ) : null}
        {groups.map((group) => {
          const items = group.items.filter((item) => matches(item, query, group.name));
          const failed = group.report?.status === "error";
          if (searching && items.length === 0 && !failed) return null;
          const isCollapsed = !searching && collapsed[group.name];
          return (
            <section className="psy-lib-group" key={group.name} data-testid="library-group" data-pack={group.name}>
              <button
                type="button"
                className="psy-lib-group__title psy-lib-group__toggle"
                aria-expanded={!isCollapsed}
                onClick={() => setCollapsed((c) => ({ ...c, [group.name]: !c[group.name] }))}
              >
                <span>{isCollapsed ? "▸" : "▾"}</span> {group.name}
                {group.report?.source === "package" ? (
                  <span
                    className="psy-lib-group__version"
                    data-testid="pack-version"
                    title={`installed package ${group.report.distribution ?? ""} ${group.report.version ?? ""}`}
                  >
                    {group.report.version}
                  </span>
                ) : null}
                <span className="psy-lib-group__count">{group.items.length}</span>
                {failed ? <span className="psy-badge psy-badge--error">error</span> : null}
                {group.report?.missing?.length ? <span className="psy-badge psy-badge--missing">needs package</span> : null}
                {group.report?.missing_pools?.length ? <span className="psy-badge psy-badge--missing">no runner</span> : null}
              </button>
              {failed && group.report ? <PackErrors report={group.report} /> : null}
              {group.report?.missing?.length ? <PackMissing report={group.report} /> : null}
              {group.report?.missing_pools?.length ? <PackUnserved report={group.report} /> : null}
              {!isCollapsed ? (
                <ul className="psy-lib-list">
                  {items.map((item) => (
                    <LibraryEntry key={item.key} item={item} kind="function" onAdd={onAdd} needs={needsOf(group.report, item.name)} />
                  ))}
                </ul>
              ) : null}
            </section>
          );
        })}
        {clashes.length > 0 ? (
          <div className="psy-note psy-small">
            {clashes.map((clash) => (
              <div key={clash.name}>
                “{clash.name}” is in {clash.packs.join(" and ")}: listed as {clash.listed_as.join(", ")}
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </aside>
  );
}

export const NodeLibraryPanel = memo(NodeLibraryPanelImpl);
