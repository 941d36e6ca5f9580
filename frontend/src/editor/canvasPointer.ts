// Where the pointer last was over the canvas (screen coordinates), so "/" opens
// quick-add there and the new node lands under it; null once it left the canvas.
export const canvasPointer: { current: { x: number; y: number } | null } = { current: null };
// The node under the pointer (Shift + Enter runs to it); null when it is over none.
export const hoveredNode: { current: string | null } = { current: null };
