// Fit View as the editor does it: the whole graph in view, clear of the zoom
// controls and the minimap, never zoomed out past a readable size.
import { useReactFlow, type ReactFlowInstance } from "@xyflow/react";
import { useCallback, type RefObject } from "react";
import type { PsyEdge, PsyNode } from "../lib/model";
import { fitViewport, type Insets } from "../lib/placement";
import { useUiStore } from "../store/uiStore";

/** The minimap's box (styles/canvas.css) and the zoom controls' column, with room around them. */
export const MINIMAP_SIZE = { width: 180, height: 120 };
const MARGIN = 16;
const CONTROLS_WIDTH = 52;

/** The room to keep clear: beside the minimap, or above it, whichever shows the graph biggest. */
export function fitInsets(minimapOpen: boolean): Insets[] {
  const base = { top: 24, left: CONTROLS_WIDTH + MARGIN, bottom: 24, right: 24 };
  if (!minimapOpen) return [base];
  return [
    { ...base, right: MINIMAP_SIZE.width + 2 * MARGIN },
    { ...base, bottom: MINIMAP_SIZE.height + 2 * MARGIN },
  ];
}

export const EMPTY_VIEW = { x: 40, y: 40, zoom: 1 };

function fitGraph(flow: ReactFlowInstance<PsyNode, PsyEdge>, wrapper: RefObject<HTMLDivElement | null>, duration: number) {
  const nodes = flow.getNodes();
  const rect = wrapper.current?.getBoundingClientRect();
  if (!rect || nodes.length === 0) {
    void flow.setViewport(EMPTY_VIEW, { duration });
    return;
  }
  const view = fitViewport(flow.getNodesBounds(nodes), rect, fitInsets(useUiStore.getState().minimapOpen));
  void flow.setViewport(view, { duration });
}

export function useFitGraph(wrapper: RefObject<HTMLDivElement | null>) {
  const flow = useReactFlow<PsyNode, PsyEdge>();
  return useCallback((duration = 250) => fitGraph(flow, wrapper, duration), [flow, wrapper]);
}
