// The React Flow canvas: drop from the library, typed wires, quick-add.
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type Node,
} from "@xyflow/react";
import { memo, useCallback, useEffect, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from "react";
import { DRAG_MIME, type DragPayload, type PsyEdge, type PsyNode } from "../lib/model";
import { checkConnection, type Verdict } from "../lib/typecheck";
import { nodeTypes } from "../nodes/nodeTypes";
import { schemaOf } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";

const KIND_COLORS: Record<string, string> = {
  functionNode: "#3b82f6",
  variableNode: "#a855f7",
  listNode: "#f97316",
  viewNode: "#22c55e",
};
const minimapColor = (node: Node) => KIND_COLORS[node.type ?? ""] ?? "#94a3b8";
const defaultEdgeOptions = { type: "default", interactionWidth: 16 };
const proOptions = { hideAttribution: true };
const DELETE_KEYS = ["Delete", "Backspace"];

export interface CanvasProps {
  wrapper: React.RefObject<HTMLDivElement | null>;
  onAddAt: (payload: DragPayload, position: { x: number; y: number }) => void;
}

function CanvasImpl({ wrapper, onAddAt }: CanvasProps) {
  const nodes = useGraphStore((s) => s.nodes);
  const edges = useGraphStore((s) => s.edges);
  const onNodesChange = useGraphStore((s) => s.onNodesChange);
  const onEdgesChange = useGraphStore((s) => s.onEdgesChange);
  const connect = useGraphStore((s) => s.connect);
  const commit = useGraphStore((s) => s.commit);
  const { screenToFlowPosition, fitView } = useReactFlow<PsyNode, PsyEdge>();
  const fitPending = useUiStore((s) => s.fitPending);
  const measured = fitPending && nodes.every((n) => n.measured?.width);
  useEffect(() => {
    if (!fitPending || !measured) return;
    useUiStore.getState().requestFit(false);
    void fitView({ padding: 0.12, maxZoom: 1, duration: 0 });
  }, [fitPending, measured, fitView]);
  const lastVerdict = useRef<Verdict | null>(null);
  // Fit a restored canvas once; an empty one keeps its viewport, so the first
  // drop lands where it was dropped.
  const [fitOnStart] = useState(() => useGraphStore.getState().nodes.length > 0);

  const isValidConnection = useCallback((connection: Connection | Edge) => {
    const { nodes: all, edges: wires } = useGraphStore.getState();
    // A new wire into a taken input replaces the old one, so judge without it.
    const others = wires.filter((e) => !(e.target === connection.target && e.targetHandle === connection.targetHandle));
    const verdict = checkConnection(connection, all, others, schemaOf);
    lastVerdict.current = verdict;
    useUiStore.getState().setHint(verdict.ok ? null : verdict.reason ?? "This wire does not fit");
    return verdict.ok;
  }, []);

  const onConnectStart = useCallback(() => {
    lastVerdict.current = null;
  }, []);

  const onConnectEnd = useCallback((_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    const ui = useUiStore.getState();
    ui.setHint(null);
    if (state.toHandle && !state.isValid && lastVerdict.current && !lastVerdict.current.ok) {
      ui.toast(`Wire refused — ${lastVerdict.current.reason}`, "error");
    }
    lastVerdict.current = null;
  }, []);

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

  const onDoubleClick = useCallback((event: ReactMouseEvent) => {
    if (!(event.target as HTMLElement).classList.contains("react-flow__pane")) return;
    useUiStore.getState().setQuickAdd({ x: event.clientX, y: event.clientY });
  }, []);

  const onNodeDragStart = useCallback(() => commit("drag"), [commit]);

  return (
    <div className="psy-canvas" ref={wrapper} data-testid="canvas" onDoubleClick={onDoubleClick}>
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
        onNodeDragStart={onNodeDragStart}
        onSelectionDragStart={onNodeDragStart}
        onDrop={onDrop}
        onDragOver={onDragOver}
        deleteKeyCode={DELETE_KEYS}
        zoomOnDoubleClick={false}
        defaultEdgeOptions={defaultEdgeOptions}
        colorMode="system"
        minZoom={0.1}
        fitView={fitOnStart}
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
        proOptions={proOptions}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        <Controls position="bottom-left" />
        {nodes.length > 0 ? <MiniMap position="bottom-right" pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} /> : null}
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
