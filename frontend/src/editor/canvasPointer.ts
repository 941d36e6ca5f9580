// Where the pointer last was over the canvas (screen coordinates), so "/" opens
// quick-add there and the new node lands under it; null once it left the canvas.
export const canvasPointer: { current: { x: number; y: number } | null } = { current: null };
