// Catalog fixtures in the shape GET /get_schema sends.
import type { NodeSchema } from "../api/types";

/** A node's schema as the gateway sends it; what a test leaves out is empty (or false). */
export function nodeSchema(fields: Pick<NodeSchema, "name" | "params" | "returns"> & Partial<NodeSchema>): NodeSchema {
  return { docstring: "", filepath: "", nodepack: "", is_progress_node: false, is_stream_node: false, ...fields };
}
