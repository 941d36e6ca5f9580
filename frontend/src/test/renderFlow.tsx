// Render nodes inside a real React Flow, driven by the graph store (as the editor does).
import { ReactFlow, ReactFlowProvider } from "@xyflow/react";
import { render } from "@testing-library/react";
import type { NodeSchema } from "../api/types";
import type { PsyEdge, PsyNode } from "../lib/model";
import { nodeTypes } from "../nodes/nodeTypes";
import { useCatalogStore } from "../store/catalogStore";
import { useGraphStore } from "../store/graphStore";
import { nodeSchema } from "./schemas";

function Harness() {
  const nodes = useGraphStore((s) => s.nodes);
  const edges = useGraphStore((s) => s.edges);
  const onNodesChange = useGraphStore((s) => s.onNodesChange);
  const onEdgesChange = useGraphStore((s) => s.onEdgesChange);
  return (
    <div style={{ width: 1000, height: 800 }}>
      <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} onNodesChange={onNodesChange} onEdgesChange={onEdgesChange} />
    </div>
  );
}

export function resetStores(schemas: NodeSchema[] = []) {
  useGraphStore.setState({ nodes: [], edges: [], past: [], future: [], lastTag: null, lastAt: 0 });
  useCatalogStore.getState().setCatalog(schemas, [], []);
}

export function renderFlow(nodes: PsyNode[], edges: PsyEdge[] = []) {
  useGraphStore.setState({ nodes, edges, past: [], future: [] });
  return render(
    <ReactFlowProvider>
      <Harness />
    </ReactFlowProvider>,
  );
}

export const SCHEMAS: NodeSchema[] = [
  nodeSchema({
    name: "add",
    params: [
      { name: "a", type: "float" },
      { name: "b", type: "float" },
    ],
    returns: [{ name: "result", type: "float" }],
    docstring: "Add two numbers.",
    nodepack: "basic",
  }),
  nodeSchema({
    name: "int_add",
    params: [
      { name: "a", type: "int" },
      { name: "b", type: "int" },
    ],
    returns: [{ name: "result", type: "int" }],
    docstring: "Add two whole numbers.",
    nodepack: "basic",
  }),
  nodeSchema({
    name: "round_number",
    params: [
      { name: "x", type: "float" },
      { name: "mode", type: "Literal", literal_values: ["nearest", "floor", "ceil"], default: "nearest" },
    ],
    returns: [{ name: "result", type: "int" }],
    docstring: "Round a number.",
    nodepack: "basic",
  }),
  nodeSchema({
    name: "configure",
    params: [
      { name: "text", type: "str" },
      { name: "flag", type: "bool" },
      { name: "choice", type: "Literal", literal_values: ["x", "y"] },
      { name: "count", type: "int", default: 3 },
      { name: "items", type: "list[int]" },
    ],
    returns: [{ name: "result", type: "Any" }],
    docstring: "A node with every kind of control.",
    nodepack: "demo",
  }),
  nodeSchema({
    name: "split_name",
    params: [{ name: "full_name", type: "str" }],
    returns: [
      { name: "first", type: "str" },
      { name: "last", type: "str" },
    ],
    docstring: "Split a name.",
    nodepack: "basic",
  }),
  nodeSchema({
    name: "CountWithProgress",
    params: [
      { name: "count", type: "int", default: 10 },
      { name: "delay_ms", type: "int", default: 100 },
    ],
    returns: [{ name: "result", type: "int" }],
    docstring: "Count with progress.",
    nodepack: "examples",
    is_progress_node: true,
  }),
  nodeSchema({
    name: "EchoStream",
    params: [
      { name: "text", type: "str" },
      { name: "delay_ms", type: "int", default: 50 },
    ],
    returns: [{ name: "result", type: "str" }],
    docstring: "Echo a text word by word.",
    nodepack: "examples",
    is_stream_node: true,
  }),
  nodeSchema({
    name: "format_text",
    params: [
      { name: "template", type: "str" },
      { name: "value", type: "Any" },
    ],
    returns: [{ name: "result", type: "str" }],
    nodepack: "basic",
  }),
  nodeSchema({
    name: "maybe",
    params: [{ name: "n", type: "Optional[int]" }],
    returns: [{ name: "result", type: "dict[str, Any]" }],
    nodepack: "demo",
  }),
];
