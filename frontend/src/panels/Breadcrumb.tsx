// "main › inner": where the canvas is when a subgraph was opened from a node; each
// earlier crumb goes back to that canvas as it was left.
import { memo } from "react";
import { backTo } from "../actions/subgraphNavigation";
import { useSubgraphNavStore } from "../store/subgraphNavStore";
import { useWorkflowStore } from "../store/workflowStore";

function BreadcrumbImpl() {
  const stack = useSubgraphNavStore((s) => s.stack);
  const current = useWorkflowStore((s) => s.name);
  if (stack.length === 0) return null;
  return (
    <nav className="psy-breadcrumb" aria-label="Subgraphs opened" data-testid="breadcrumb">
      <button
        type="button"
        className="psy-breadcrumb__back"
        data-testid="breadcrumb-back"
        title="Back to the workflow this one was opened from"
        aria-label="Back"
        onClick={() => void backTo(stack.length - 1)}
      >
        ←
      </button>
      <ol className="psy-breadcrumb__list">
        {stack.map((level, depth) => (
          <li key={depth} className="psy-breadcrumb__item">
            <button type="button" className="psy-breadcrumb__link" data-testid="breadcrumb-item" data-depth={depth} onClick={() => void backTo(depth)}>
              {level.open?.name ?? "Untitled"}
            </button>
            <span className="psy-breadcrumb__sep" aria-hidden="true">
              ›
            </span>
          </li>
        ))}
        <li className="psy-breadcrumb__item psy-breadcrumb__item--current" aria-current="page" data-testid="breadcrumb-current">
          {current ?? "Untitled"}
        </li>
      </ol>
    </nav>
  );
}

export const Breadcrumb = memo(BreadcrumbImpl);
