// Collects items and hands them over once per animation frame (or ~16 ms when
// the tab is hidden), so a burst of SSE events costs one render, not hundreds.
export interface Batcher<T> {
  push: (items: T[]) => void;
  flush: () => void;
}

export function createBatcher<T>(deliver: (items: T[]) => void): Batcher<T> {
  let queue: T[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    deliver(items);
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    const visible = typeof document === "undefined" || document.visibilityState === "visible";
    if (visible && typeof requestAnimationFrame === "function") requestAnimationFrame(flush);
    else setTimeout(flush, 16);
  };
  return {
    push(items) {
      for (const item of items) queue.push(item);
      schedule();
    },
    flush,
  };
}
