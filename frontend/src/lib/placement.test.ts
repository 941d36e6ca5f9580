import { describe, expect, it } from "vitest";
import { FIT_MIN_ZOOM, fitViewport, NEW_NODE_SIZE, placeAt, POINTER_OFFSET } from "./placement";

describe("placing a new node", () => {
  it("puts its header under the pointer", () => {
    expect(placeAt({ x: 400, y: 300 }, [])).toEqual({ x: 400 - POINTER_OFFSET.x, y: 300 - POINTER_OFFSET.y });
  });

  it("never stacks: a spot taken moves it below what is there, again and again", () => {
    const first = placeAt({ x: 400, y: 300 }, []);
    const taken = [{ ...first, ...NEW_NODE_SIZE }];
    const second = placeAt({ x: 400, y: 300 }, taken);
    expect(second.x).toBe(first.x);
    expect(second.y).toBeGreaterThanOrEqual(first.y + NEW_NODE_SIZE.height);
    const third = placeAt({ x: 410, y: 305 }, [...taken, { ...second, ...NEW_NODE_SIZE }]);
    expect(third.y).toBeGreaterThanOrEqual(second.y + NEW_NODE_SIZE.height);
  });

  it("does not move for a node elsewhere", () => {
    expect(placeAt({ x: 0, y: 0 }, [{ x: 900, y: 900, width: 200, height: 100 }])).toEqual({ x: -POINTER_OFFSET.x, y: -POINTER_OFFSET.y });
  });
});

describe("fitting the view", () => {
  const insets = { top: 20, right: 220, bottom: 20, left: 60 };

  it("keeps the graph out of the insets (the minimap's corner) and centres it", () => {
    const view = fitViewport({ x: 0, y: 0, width: 400, height: 300 }, { width: 1000, height: 600 }, insets);
    expect(view.zoom).toBe(1);
    const right = view.x + 400 * view.zoom;
    expect(view.x).toBeGreaterThanOrEqual(insets.left);
    expect(right).toBeLessThanOrEqual(1000 - insets.right);
    expect(view.y).toBe(20 + (560 - 300) / 2);
  });

  it("zooms out to fit, but never below the readable zoom, showing a big graph from its left edge", () => {
    const fits = fitViewport({ x: 100, y: 0, width: 800, height: 400 }, { width: 1000, height: 600 }, insets);
    expect(fits.zoom).toBeCloseTo(720 / 800);
    const huge = fitViewport({ x: 100, y: 50, width: 4000, height: 300 }, { width: 1000, height: 600 }, insets);
    expect(huge.zoom).toBe(FIT_MIN_ZOOM);
    expect(huge.x).toBe(insets.left - 100 * FIT_MIN_ZOOM);
    expect(huge.y).toBe(Math.round(20 + (560 - 300 * FIT_MIN_ZOOM) / 2 - 50 * FIT_MIN_ZOOM));
  });

  it("shows even a graph only a little too big from its left edge, its inputs whole", () => {
    const view = fitViewport({ x: 0, y: 0, width: 1000, height: 300 }, { width: 1000, height: 600 }, insets);
    expect(view.zoom).toBe(FIT_MIN_ZOOM);
    expect(view.x).toBe(60);
  });

  it("keeps clear of the minimap whichever way shows the graph biggest", () => {
    const right = { top: 20, right: 220, bottom: 20, left: 60 };
    const below = { top: 20, right: 20, bottom: 160, left: 60 };
    const wide = fitViewport({ x: 0, y: 0, width: 900, height: 200 }, { width: 1000, height: 600 }, [right, below]);
    expect(wide.zoom).toBeCloseTo(Math.min(1, 920 / 900));
    expect(wide.y + 200 * wide.zoom).toBeLessThanOrEqual(600 - 160);
    const tall = fitViewport({ x: 0, y: 0, width: 300, height: 700 }, { width: 1000, height: 600 }, [right, below]);
    expect(tall.zoom).toBeCloseTo(560 / 700);
    expect(tall.x + 300 * tall.zoom).toBeLessThanOrEqual(1000 - 220);
  });
});

describe("placing a node for a dropped wire", () => {
  it("puts the handle that takes the wire under the pointer", () => {
    expect(placeAt({ x: 500, y: 300 }, [], NEW_NODE_SIZE, "input")).toEqual({ x: 500, y: 252 });
    expect(placeAt({ x: 500, y: 300 }, [], NEW_NODE_SIZE, "output")).toEqual({ x: 500 - NEW_NODE_SIZE.width, y: 252 });
  });
});
