// Editor commands shared by the toolbar, shortcuts, library and quick-add.
import { useReactFlow, type Connection, type XYPosition } from "@xyflow/react";
import { useCallback, useMemo } from "react";
import { openSubgraph } from "../actions/subgraphNavigation";
import { clearCanvas } from "../actions/workflowActions";
import { copySelection, hasClipboard, pasteClipboard } from "../lib/clipboard";
import { downloadJson } from "../lib/download";
import { createNode } from "../lib/factory";
import type { DragPayload, PsyEdge, PsyNode } from "../lib/model";
import { NEW_NODE_SIZE, placeAt, type Anchor, type Rect } from "../lib/placement";
import { edgeId, exportWorkflow, parseWorkflow } from "../lib/serialize";
import { connectionTo, fitForNew, type WireEnd } from "../lib/wireFit";
import { schemaOf } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { useSubgraphNavStore } from "../store/subgraphNavStore";
import { useUiStore } from "../store/uiStore";

function takenRects(nodes: PsyNode[]): Rect[] {
  return nodes.map((n) => ({ x: n.position.x, y: n.position.y, width: n.measured?.width ?? NEW_NODE_SIZE.width, height: n.measured?.height ?? NEW_NODE_SIZE.height }));
}

export function useEditorActions(canvas: React.RefObject<HTMLDivElement | null>) {
  const flow = useReactFlow<PsyNode, PsyEdge>();

  const centre = useCallback((): XYPosition => {
    const rect = canvas.current?.getBoundingClientRect();
    const x = rect ? rect.left + rect.width / 2 : window.innerWidth / 2;
    const y = rect ? rect.top + rect.height / 2 : window.innerHeight / 2;
    return flow.screenToFlowPosition({ x, y });
  }, [canvas, flow]);

  /**
   * Add a node under `pointer` (its header there, or for a dropped wire the handle
   * that takes it), never on top of another, wired to `wire` when one was dropped.
   */
  const addAt = useCallback((payload: DragPayload, pointer: XYPosition, wire?: WireEnd) => {
    const graph = useGraphStore.getState();
    const fit = wire ? fitForNew(payload, wire, schemaOf) : null;
    const anchor: Anchor = !fit || !wire ? "header" : wire.handleType === "source" ? "input" : "output";
    const position = placeAt(pointer, takenRects(graph.nodes), NEW_NODE_SIZE, anchor);
    const node = createNode(payload, position, new Set(graph.nodes.map((n) => n.id)), schemaOf);
    if (!node) {
      useUiStore.getState().toast(`Unknown node '${payload.name ?? payload.type}'`, "error");
      return null;
    }
    if (fit?.variableType && node.type === "variableNode") {
      node.data = { ...node.data, variableType: fit.variableType, variableValue: fit.variableType === "Number" ? "0" : "" };
    }
    const edges: PsyEdge[] = [];
    if (wire && fit) {
      const connection = connectionTo(wire, node.id, fit.handle);
      edges.push({ id: edgeId(connection), source: connection.source, target: connection.target, sourceHandle: connection.sourceHandle ?? null, targetHandle: connection.targetHandle ?? null });
    }
    graph.addNodes([node], edges, true);
    return node;
  }, []);

  const addInMiddle = useCallback((payload: DragPayload) => addAt(payload, centre()), [addAt, centre]);

  /** A List node between a value and the list input it did not fit: source -> List -> target. */
  const insertList = useCallback((connection: Connection) => {
    const graph = useGraphStore.getState();
    const source = graph.nodes.find((n) => n.id === connection.source);
    const target = graph.nodes.find((n) => n.id === connection.target);
    if (!source || !target) return;
    const middle = { x: (source.position.x + target.position.x) / 2 + 60, y: (source.position.y + target.position.y) / 2 };
    const list = createNode({ type: "listNode" }, placeAt(middle, takenRects(graph.nodes)), new Set(graph.nodes.map((n) => n.id)), schemaOf);
    if (!list) return;
    const into = { source: connection.source, sourceHandle: connection.sourceHandle ?? null, target: list.id, targetHandle: "input-0" };
    const out = { source: list.id, sourceHandle: "output", target: connection.target, targetHandle: connection.targetHandle ?? null };
    graph.addNodes([list], [{ id: edgeId(into), ...into }, { id: edgeId(out), ...out }], true);
    useUiStore.getState().toast(`Inserted ${list.id}: it makes a list of what ${source.id} gives`, "success");
  }, []);

  const copy = useCallback(() => {
    const { nodes, edges } = useGraphStore.getState();
    const count = copySelection(nodes, edges);
    if (count) useUiStore.getState().toast(`Copied ${count} node${count > 1 ? "s" : ""}`);
  }, []);

  const paste = useCallback(() => {
    if (!hasClipboard()) return;
    const graph = useGraphStore.getState();
    const { nodes, edges } = pasteClipboard(graph.nodes);
    graph.addNodes(nodes, edges, true);
  }, []);

  const duplicate = useCallback(() => {
    const { nodes, edges } = useGraphStore.getState();
    if (copySelection(nodes, edges)) paste();
  }, [paste]);

  const selectAll = useCallback(() => {
    useGraphStore.getState().select(() => true);
  }, []);

  const exportFile = useCallback(() => {
    const { nodes, edges } = useGraphStore.getState();
    downloadJson("psynapse-workflow.json", exportWorkflow(nodes, edges));
  }, []);

  const importText = useCallback(
    (text: string) => {
      try {
        const graph = parseWorkflow(text);
        useSubgraphNavStore.getState().clear();
        useGraphStore.getState().setGraph(graph, "record");
        useRunStore.getState().clear();
        useUiStore.getState().setIssues([]);
        useUiStore.getState().requestFit();
        useUiStore.getState().toast(`Imported ${graph.nodes.length} nodes`, "success");
      } catch (error) {
        useUiStore.getState().toast(`Import failed: ${(error as Error).message}`, "error");
      }
    },
    [],
  );

  const importFile = useCallback((file: File) => void file.text().then(importText), [importText]);

  const clear = useCallback(() => void clearCanvas(), []);

  const focusNode = useCallback(
    (id: string) => {
      const node = flow.getNode(id);
      if (!node) return;
      const width = node.measured?.width ?? 200;
      const height = node.measured?.height ?? 100;
      void flow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 300 });
      useGraphStore.getState().select((n) => n.id === id);
    },
    [flow],
  );

  const remove = useCallback(() => {
    const graph = useGraphStore.getState();
    graph.removeNodes(graph.nodes.filter((n) => n.selected).map((n) => n.id));
  }, []);

  const group = useCallback(() => useUiStore.getState().setDialog("group"), []);

  const openSubgraphNode = useCallback((id: string) => void openSubgraph(id), []);

  return useMemo(
    () => ({ addAt, addInMiddle, insertList, copy, paste, duplicate, selectAll, exportFile, importFile, importText, clear, focusNode, remove, group, openSubgraph: openSubgraphNode }),
    [addAt, addInMiddle, insertList, copy, paste, duplicate, selectAll, exportFile, importFile, importText, clear, focusNode, remove, group, openSubgraphNode],
  );
}
