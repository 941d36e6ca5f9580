// The React Flow canvas: drop from the library, typed and forgiving wires,
// quick-add, the view controls and the minimap, the right-click menu.
import { Background, BackgroundVariant, ReactFlow, useReactFlow, type Connection, type NodeMouseHandler, type Viewport } from "@xyflow/react";
import { memo, useCallback, useEffect, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from "react";
import { DRAG_MIME, type DragPayload, type PsyEdge, type PsyNode } from "../lib/model";
import { nodeTypes } from "../nodes/nodeTypes";
import { useGraphStore } from "../store/graphStore";
import { canvasView, useUiStore } from "../store/uiStore";
import { canvasPointer, hoveredNode } from "./canvasPointer";
import { EMPTY_VIEW, useFitGraph } from "./useFitGraph";
import { useWireDrop } from "./useWireDrop";
import { ViewControls } from "./ViewControls";

const defaultEdgeOptions = { type: "default", interactionWidth: 20 };
const proOptions = { hideAttribution: true };
const DELETE_KEYS = ["Delete", "Backspace"];
// A wire dropped this close to a handle (screen pixels) connects to it.
const CONNECTION_RADIUS = 32;

export interface CanvasProps {
  wrapper: React.RefObject<HTMLDivElement | null>;
  onAddAt: (payload: DragPayload, position: { x: number; y: number }) => void;
  onInsertList: (connection: Connection) => void;
  colorMode: "light" | "dark";
}

function CanvasImpl({ wrapper, onAddAt, onInsertList, colorMode }: CanvasProps) {
  const nodes = useGraphStore((s) => s.nodes);
  const edges = useGraphStore((s) => s.edges);
  const onNodesChange = useGraphStore((s) => s.onNodesChange);
  const onEdgesChange = useGraphStore((s) => s.onEdgesChange);
  const connect = useGraphStore((s) => s.connect);
  const commit = useGraphStore((s) => s.commit);
  const { screenToFlowPosition, setViewport } = useReactFlow<PsyNode, PsyEdge>();
  const fitGraph = useFitGraph(wrapper);
  const connecting = useUiStore((s) => s.connecting);
  const { isValidConnection, onConnectStart, onConnectEnd } = useWireDrop(onInsertList);

  const fitPending = useUiStore((s) => s.fitPending);
  const measured = fitPending && nodes.every((n) => n.measured?.width);
  useEffect(() => {
    if (!fitPending || !measured) return;
    useUiStore.getState().requestFit(false);
    fitGraph(0);
  }, [fitPending, measured, fitGraph]);
  const viewportPending = useUiStore((s) => s.viewportPending);
  useEffect(() => {
    if (!viewportPending) return;
    useUiStore.getState().restoreViewport(null);
    void setViewport(viewportPending);
  }, [viewportPending, setViewport]);
  const viewResetPending = useUiStore((s) => s.viewResetPending);
  useEffect(() => {
    if (!viewResetPending) return;
    useUiStore.getState().requestViewReset(false);
    void setViewport(EMPTY_VIEW, { duration: 200 });
  }, [viewResetPending, setViewport]);
  // Fit a restored canvas once; an empty one keeps its viewport, so the first
  // drop lands where it was dropped.
  const [fitOnStart] = useState(() => useGraphStore.getState().nodes.length > 0);
  useEffect(() => {
    if (fitOnStart) useUiStore.getState().requestFit();
  }, [fitOnStart]);

  const onDragOver = useCallback((event: DragEvent) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      const raw = event.dataTransfer.getData(DRAG_MIME);
      if (!raw) return;
      let payload: DragPayload;
      try {
        payload = JSON.parse(raw) as DragPayload;
      } catch {
        return;
      }
      onAddAt(payload, screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [onAddAt, screenToFlowPosition],
  );

  const onDoubleClick = useCallback(
    (event: ReactMouseEvent) => {
      if (!(event.target as HTMLElement).classList.contains("react-flow__pane")) return;
      const point = { x: event.clientX, y: event.clientY };
      useUiStore.getState().setQuickAdd({ ...point, flow: screenToFlowPosition(point) });
    },
    [screenToFlowPosition],
  );

  const onMouseMove = useCallback((event: ReactMouseEvent) => {
    canvasPointer.current = { x: event.clientX, y: event.clientY };
  }, []);
  const onMouseLeave = useCallback(() => {
    canvasPointer.current = null;
  }, []);

  // Right-click on a node: its menu (run to it, run the selection, the Edit menu's commands); the
  // node joins the selection's commands (alone, unless it is in the selection).
  const onNodeContextMenu = useCallback<NodeMouseHandler<PsyNode>>((event, node) => {
    event.preventDefault();
    if (!node.selected) useGraphStore.getState().select((n) => n.id === node.id);
    useUiStore.getState().setContextMenu({ x: event.clientX, y: event.clientY, nodeId: node.id });
  }, []);
  const onSelectionContextMenu = useCallback((event: ReactMouseEvent) => {
    event.preventDefault();
    useUiStore.getState().setContextMenu({ x: event.clientX, y: event.clientY, selection: true });
  }, []);
  const onPaneContextMenu = useCallback((event: ReactMouseEvent | MouseEvent) => {
    event.preventDefault();
    useUiStore.getState().setContextMenu({ x: event.clientX, y: event.clientY });
  }, []);

  const onNodeDragStart = useCallback(() => commit("drag"), [commit]);
  const onNodeMouseEnter = useCallback<NodeMouseHandler<PsyNode>>((_, node) => {
    hoveredNode.current = node.id;
  }, []);
  const onNodeMouseLeave = useCallback(() => {
    hoveredNode.current = null;
  }, []);
  const onMove = useCallback((_: unknown, viewport: Viewport) => {
    canvasView.current = viewport;
  }, []);
  const fit = useCallback(() => fitGraph(), [fitGraph]);

  return (
    <div
      className={`psy-canvas${connecting ? " is-connecting" : ""}`}
      ref={wrapper}
      data-testid="canvas"
      onDoubleClick={onDoubleClick}
      onMouseMove={onMouseMove}
      onMouseLeave={onMouseLeave}
    >
      <ReactFlow<PsyNode, PsyEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectStart={onConnectStart}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        connectionRadius={CONNECTION_RADIUS}
        onNodeDragStart={onNodeDragStart}
        onMove={onMove}
        onNodeContextMenu={onNodeContextMenu}
        onSelectionContextMenu={onSelectionContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        onSelectionDragStart={onNodeDragStart}
        onNodeMouseEnter={onNodeMouseEnter}
        onNodeMouseLeave={onNodeMouseLeave}
        onDrop={onDrop}
        onDragOver={onDragOver}
        deleteKeyCode={DELETE_KEYS}
        zoomOnDoubleClick={false}
        defaultEdgeOptions={defaultEdgeOptions}
        colorMode={colorMode}
        minZoom={0.1}
        proOptions={proOptions}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        <ViewControls onFit={fit} hasNodes={nodes.length > 0} />
      </ReactFlow>
      {nodes.length === 0 ? (
        <div className="psy-canvas__empty" data-testid="canvas-empty">
          <div className="psy-canvas__empty-title">Start a workflow</div>
          <div>Drag nodes from the library, double-click the canvas or press <kbd>/</kbd> to add one.</div>
          <div className="psy-muted">
            Wire outputs (right) to inputs (left), then press <strong>Execute</strong>. <kbd>?</kbd> lists the shortcuts.
          </div>
        </div>
      ) : null}
    </div>
  );
}

export const Canvas = memo(CanvasImpl);
