// Where new nodes go and how the view fits a graph: pure geometry in flow
// coordinates, so the canvas and the tests share it.

export interface Point {
  x: number;
  y: number;
}

export interface Rect extends Point {
  width: number;
  height: number;
}

/** A node not measured yet is about this big. */
export const NEW_NODE_SIZE = { width: 230, height: 130 };
/** A new node's top-left sits this far up-left of the pointer, so the pointer is over its header. */
export const POINTER_OFFSET = { x: 18, y: 16 };
const GAP = 16;

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width + GAP && b.x < a.x + a.width + GAP && a.y < b.y + b.height + GAP && b.y < a.y + a.height + GAP;
}

/** Which part of the new node goes under the pointer: its header, or the handle a dropped wire takes. */
export type Anchor = "header" | "input" | "output";
// The first handle row's middle, below a node's top.
const FIRST_ROW_Y = 48;

function topLeft(pointer: Point, anchor: Anchor, size: { width: number }): Point {
  if (anchor === "input") return { x: pointer.x, y: pointer.y - FIRST_ROW_Y };
  if (anchor === "output") return { x: pointer.x - size.width, y: pointer.y - FIRST_ROW_Y };
  return { x: pointer.x - POINTER_OFFSET.x, y: pointer.y - POINTER_OFFSET.y };
}

/**
 * The top-left of a new node that should appear under `pointer` (its header, or
 * the handle a dropped wire takes): there, or moved down past whatever it would
 * cover, so nodes never stack.
 */
export function placeAt(pointer: Point, taken: Rect[], size = NEW_NODE_SIZE, anchor: Anchor = "header"): Point {
  const corner = topLeft(pointer, anchor, size);
  const spot: Rect = { x: Math.round(corner.x), y: Math.round(corner.y), ...size };
  for (let tries = 0; tries < 200; tries++) {
    const hit = taken.find((rect) => overlaps(spot, rect));
    if (!hit) return { x: spot.x, y: spot.y };
    spot.y = Math.round(hit.y + hit.height + GAP + 1);
  }
  return { x: spot.x, y: spot.y };
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Fit never zooms out past this: below it node labels are too small to read. */
export const FIT_MIN_ZOOM = 0.75;
export const FIT_MAX_ZOOM = 1;

/**
 * The viewport that shows `bounds` inside `canvas` less the insets (the minimap and
 * the zoom controls sit there, so nodes never land under them; of several ways to
 * keep clear, the one that shows the graph biggest). When the graph only fits below
 * the readable zoom, it is shown at that zoom from its left edge, where a flow
 * starts (its inputs whole, the rest a pan away); vertically likewise from its top.
 */
export function fitViewport(
  bounds: Rect,
  canvas: { width: number; height: number },
  insets: Insets | Insets[],
  minZoom = FIT_MIN_ZOOM,
  maxZoom = FIT_MAX_ZOOM,
): Viewport {
  const options = Array.isArray(insets) ? insets : [insets];
  const fits = options.map((inset) => {
    const width = Math.max(1, canvas.width - inset.left - inset.right);
    const height = Math.max(1, canvas.height - inset.top - inset.bottom);
    return { inset, width, height, wanted: Math.min(width / Math.max(1, bounds.width), height / Math.max(1, bounds.height)) };
  });
  const best = fits.reduce((a, b) => (b.wanted > a.wanted ? b : a));
  const { inset, width, height } = best;
  const zoom = Math.min(maxZoom, Math.max(minZoom, best.wanted));
  const place = (shown: number, room: number, start: number, origin: number) =>
    shown <= room ? start + (room - shown) / 2 - origin * zoom : start - origin * zoom;
  return {
    x: Math.round(place(bounds.width * zoom, width, inset.left, bounds.x)),
    y: Math.round(place(bounds.height * zoom, height, inset.top, bounds.y)),
    zoom,
  };
}
