// Drawing wires, forgivingly: checked as they are drawn (the reason shows when one
// does not fit), connected when dropped anywhere on a node (its body, or an input's
// row) to the first input that fits, and, when dropped on the empty canvas, quick-add
// opens with only the nodes that can take the wire, ready to wire the one picked.
import { useReactFlow, type Connection, type Edge, type FinalConnectionState } from "@xyflow/react";
import { useCallback, useRef } from "react";
import type { PsyEdge, PsyNode } from "../lib/model";
import { checkConnection, handleSchema, inputType, outputType, type Verdict } from "../lib/typecheck";
import { connectionTo, handleOnNode, type WireEnd } from "../lib/wireFit";
import { schemaOf } from "../store/catalogStore";
import { interfaceOf } from "../store/subgraphStore";
import { useGraphStore } from "../store/graphStore";
import { useUiStore } from "../store/uiStore";
import { canvasPointer } from "./canvasPointer";

function pointOf(event: MouseEvent | TouchEvent): { x: number; y: number } {
  if ("changedTouches" in event && event.changedTouches.length) {
    return { x: event.changedTouches[0].clientX, y: event.changedTouches[0].clientY };
  }
  const mouse = event as MouseEvent;
  return { x: mouse.clientX, y: mouse.clientY };
}

/** The node under a point, and the input row under it (its handle id), if any. */
function nodeUnder(point: { x: number; y: number }): { nodeId: string; row: string | null } | null {
  for (const element of document.elementsFromPoint(point.x, point.y)) {
    if (element.closest(".react-flow__minimap, .react-flow__panel")) return null;
    const node = element.closest<HTMLElement>(".react-flow__node");
    if (!node?.dataset.id) continue;
    const row = element.closest<HTMLElement>("[data-input-row]");
    return { nodeId: node.dataset.id, row: row?.dataset.inputRow ?? null };
  }
  return null;
}

function onPane(point: { x: number; y: number }): boolean {
  const top = document.elementFromPoint(point.x, point.y);
  return !!top?.classList.contains("react-flow__pane");
}

export function wireEndOf(state: FinalConnectionState): WireEnd | null {
  if (!state.fromHandle || !state.fromNode) return null;
  const { nodes } = useGraphStore.getState();
  const node = nodes.find((n) => n.id === state.fromNode?.id);
  if (!node) return null;
  const handleId = state.fromHandle.id ?? null;
  const type = state.fromHandle.type === "source" ? outputType(node, handleId, schemaOf, interfaceOf) : inputType(node, handleId, schemaOf, interfaceOf);
  const valueSchema = handleSchema(node, handleId, state.fromHandle.type === "source" ? "output" : "input", schemaOf);
  return { nodeId: node.id, handleId, handleType: state.fromHandle.type, valueType: type ?? "Any", ...(valueSchema ? { valueSchema } : {}) };
}

export function useWireDrop(insertList: (connection: Connection) => void) {
  const { screenToFlowPosition } = useReactFlow<PsyNode, PsyEdge>();
  const lastVerdict = useRef<Verdict | null>(null);

  const refuse = useCallback(
    (verdict: Verdict, connection: Connection | null) => {
      const action = verdict.wrapInList && connection ? { label: "Insert a List", run: () => insertList(connection) } : undefined;
      useUiStore.getState().toast(`Wire refused — ${verdict.reason ?? "this wire does not fit"}`, "error", action);
    },
    [insertList],
  );

  const isValidConnection = useCallback((connection: Connection | Edge) => {
    const { nodes: all, edges: wires } = useGraphStore.getState();
    // A new wire into a taken input replaces the old one, so judge without it.
    const others = wires.filter((e) => !(e.target === connection.target && e.targetHandle === connection.targetHandle));
    const verdict = checkConnection(connection, all, others, schemaOf, interfaceOf);
    lastVerdict.current = verdict;
    useUiStore.getState().setHint(verdict.ok ? null : verdict.reason ?? "This wire does not fit");
    return verdict.ok;
  }, []);

  const onConnectStart = useCallback(() => {
    lastVerdict.current = null;
    useUiStore.getState().setConnecting(true);
  }, []);

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      const ui = useUiStore.getState();
      ui.setHint(null);
      ui.setConnecting(false);
      const verdict = lastVerdict.current;
      lastVerdict.current = null;
      if (state.isValid && state.toHandle) return; // dropped on a handle that fits: React Flow connected it
      const end = wireEndOf(state);
      if (!end) return;
      const point = pointOf(event);
      const { nodes, edges, connect } = useGraphStore.getState();
      const under = nodeUnder(point);
      if (under && under.nodeId !== end.nodeId) {
        const node = nodes.find((n) => n.id === under.nodeId);
        if (!node) return;
        const preferred = under.row ?? (state.toHandle?.nodeId === node.id ? state.toHandle.id ?? null : null);
        const fit = handleOnNode(node, end, nodes, edges, schemaOf, preferred, interfaceOf);
        if (fit.handle) connect(connectionTo(end, node.id, fit.handle));
        else refuse(fit.verdict, fit.tried ? connectionTo(end, node.id, fit.tried) : null);
        return;
      }
      if (state.toHandle && verdict && !verdict.ok) {
        refuse(verdict, connectionTo(end, state.toHandle.nodeId, state.toHandle.id ?? ""));
        return;
      }
      if (!under && onPane(point)) {
        canvasPointer.current = point;
        ui.setQuickAdd({ x: point.x, y: point.y, flow: screenToFlowPosition(point), wire: end });
      }
    },
    [refuse, screenToFlowPosition],
  );

  return { isValidConnection, onConnectStart, onConnectEnd };
}
