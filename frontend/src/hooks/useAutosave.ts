// Restores the canvas from localStorage once, then saves it as it changes.
import { useEffect, useState } from "react";
import { loadAutosave, saveAutosave } from "../lib/persistence";
import { useGraphStore } from "../store/graphStore";

const DELAY_MS = 250;

export function useAutosave() {
  // Restore before the first paint of the canvas.
  useState(() => {
    const saved = loadAutosave();
    if (saved && useGraphStore.getState().nodes.length === 0) useGraphStore.getState().setGraph(saved, "reset");
    return true;
  });

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const save = () => {
      timer = undefined;
      const { nodes, edges } = useGraphStore.getState();
      saveAutosave(nodes, edges);
    };
    const unsubscribe = useGraphStore.subscribe((state, previous) => {
      if (state.nodes === previous.nodes && state.edges === previous.edges) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, DELAY_MS);
    });
    const flush = () => {
      if (timer) {
        clearTimeout(timer);
        save();
      }
    };
    window.addEventListener("beforeunload", flush);
    return () => {
      unsubscribe();
      window.removeEventListener("beforeunload", flush);
      flush();
    };
  }, []);
}
