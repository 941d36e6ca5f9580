// Zoom in and out, Fit View, 100% (showing the zoom now) and the minimap's
// toggle, bottom-left and bottom-right of the canvas.
import { ControlButton, Controls, MiniMap, Panel, useReactFlow, useViewport, type Node } from "@xyflow/react";
import { memo } from "react";
import { useUiStore } from "../store/uiStore";
import { MINIMAP_SIZE } from "./useFitGraph";

const KIND_COLORS: Record<string, string> = {
  functionNode: "#3b82f6",
  variableNode: "#a855f7",
  listNode: "#f97316",
  viewNode: "#22c55e",
};
const minimapColor = (node: Node) => KIND_COLORS[node.type ?? ""] ?? "#94a3b8";
const minimapStyle = { width: MINIMAP_SIZE.width, height: MINIMAP_SIZE.height };

function ViewControlsImpl({ onFit, hasNodes }: { onFit: () => void; hasNodes: boolean }) {
  const { zoom } = useViewport();
  const { zoomTo } = useReactFlow();
  const minimapOpen = useUiStore((s) => s.minimapOpen);
  const setMinimapOpen = useUiStore((s) => s.setMinimapOpen);
  const percent = Math.round(zoom * 100);
  return (
    <>
      <Controls position="bottom-left" showFitView={false} showInteractive={false} aria-label="Zoom">
        <ControlButton onClick={onFit} title="Fit the graph in view (never below a readable zoom)" aria-label="Fit view" data-testid="fit-view">
          <span aria-hidden="true">⤢</span>
        </ControlButton>
        <ControlButton
          className="psy-zoom-100"
          onClick={() => void zoomTo(1, { duration: 200 })}
          title="Zoom to 100%"
          aria-label={`Zoom to 100% (now ${percent}%)`}
          data-testid="zoom-100"
          data-zoom={percent}
        >
          {percent}%
        </ControlButton>
      </Controls>
      {hasNodes && minimapOpen ? <MiniMap position="bottom-right" pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} style={minimapStyle} /> : null}
      {hasNodes ? (
        <Panel position="bottom-right" className={`psy-minimap-toggle${minimapOpen ? " is-open" : ""}`}>
          <button
            type="button"
            className="psy-minimap-toggle__button"
            data-testid="minimap-toggle"
            aria-pressed={minimapOpen}
            aria-label={minimapOpen ? "Hide the minimap" : "Show the minimap"}
            title={minimapOpen ? "Hide the minimap" : "Show the minimap"}
            onClick={() => setMinimapOpen(!minimapOpen)}
          >
            {minimapOpen ? "✕" : "▣ Map"}
          </button>
        </Panel>
      ) : null}
    </>
  );
}

export const ViewControls = memo(ViewControlsImpl);
