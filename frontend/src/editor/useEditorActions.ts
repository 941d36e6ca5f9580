// Editor commands shared by the toolbar, shortcuts, library and quick-add.
import { useReactFlow, type XYPosition } from "@xyflow/react";
import { useCallback, useMemo } from "react";
import { copySelection, hasClipboard, pasteClipboard } from "../lib/clipboard";
import { downloadJson } from "../lib/download";
import { createNode } from "../lib/factory";
import type { DragPayload, PsyEdge, PsyNode } from "../lib/model";
import { exportWorkflow, parseWorkflow } from "../lib/serialize";
import { schemaOf } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { useRunStore } from "../store/runStore";
import { useUiStore } from "../store/uiStore";

export function useEditorActions(canvas: React.RefObject<HTMLDivElement | null>) {
  const flow = useReactFlow<PsyNode, PsyEdge>();

  const centre = useCallback((): XYPosition => {
    const rect = canvas.current?.getBoundingClientRect();
    const x = rect ? rect.left + rect.width / 2 : window.innerWidth / 2;
    const y = rect ? rect.top + rect.height / 2 : window.innerHeight / 2;
    return flow.screenToFlowPosition({ x, y });
  }, [canvas, flow]);

  /** Add a node with its header under `position` (where the pointer is). */
  const addAt = useCallback((payload: DragPayload, pointer: XYPosition) => {
    const graph = useGraphStore.getState();
    const position = { x: Math.round(pointer.x - 100), y: Math.round(pointer.y - 16) };
    const node = createNode(payload, position, new Set(graph.nodes.map((n) => n.id)), schemaOf);
    if (!node) {
      useUiStore.getState().toast(`Unknown node '${payload.name ?? payload.type}'`, "error");
      return null;
    }
    graph.addNodes([node], [], true);
    return node;
  }, []);

  const addInMiddle = useCallback(
    (payload: DragPayload) => {
      const c = centre();
      const jitter = (useGraphStore.getState().nodes.length % 5) * 24;
      addAt(payload, { x: c.x + jitter, y: c.y - 60 + jitter });
    },
    [addAt, centre],
  );

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

  const clear = useCallback(() => {
    useGraphStore.getState().setGraph({ nodes: [], edges: [] }, "record");
    useRunStore.getState().clear();
    useUiStore.getState().setIssues([]);
  }, []);

  const focusNode = useCallback(
    (id: string) => {
      const node = flow.getNode(id);
      if (!node) return;
      const width = node.measured?.width ?? 200;
      const height = node.measured?.height ?? 100;
      flow.setCenter(node.position.x + width / 2, node.position.y + height / 2, { zoom: Math.max(flow.getZoom(), 1), duration: 300 });
      useGraphStore.getState().select((n) => n.id === id);
    },
    [flow],
  );

  return useMemo(
    () => ({ addAt, addInMiddle, copy, paste, duplicate, selectAll, exportFile, importFile, importText, clear, focusNode }),
    [addAt, addInMiddle, copy, paste, duplicate, selectAll, exportFile, importFile, importText, clear, focusNode],
  );
}
