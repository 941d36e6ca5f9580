// A past run's own graph (GET /runs/{id}/graph) against the canvas: the same
// graph when what runs is the same (node data and wires), wherever nodes are drawn.
import type { GraphEdge, GraphNode, GraphRequest, RunGraph } from "../api/types";

/** A graph as the gateway takes it: the canvas's request, or a past run's graph. */
type Graph = { nodes: GraphNode[]; edges: GraphEdge[] };

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function shape(graph: Graph): string {
  // A node without data has the gateway's default: {}.
  const nodes = graph.nodes.map(({ id, type, data }) => ({ id, type, data: data ?? {} })).sort((a, b) => a.id.localeCompare(b.id));
  const edges = graph.edges
    .map(({ source, target, sourceHandle, targetHandle }) => ({ source, target, sourceHandle: sourceHandle ?? null, targetHandle: targetHandle ?? null }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return JSON.stringify(canonical({ nodes, edges }));
}

export function sameGraph(a: Graph, b: Graph): boolean {
  return shape(a) === shape(b);
}

/** The request that runs a past run's graph again (as it ran: a partial run to its targets), recorded under its workflow. */
export function requestOf(graph: RunGraph): GraphRequest {
  const request: GraphRequest = { nodes: graph.nodes, edges: graph.edges };
  if (graph.workflow) request.workflow = graph.workflow;
  if (graph.targets) request.targets = graph.targets;
  return request;
}
