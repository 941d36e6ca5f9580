// Follows GET /catalog/events and calls `onChange` when the revision moves.
import { useEffect, useRef } from "react";
import { subscribeCatalog } from "../api/catalog";
import { useCatalogStore } from "../store/catalogStore";

export function useCatalogEvents(onChange: () => void) {
  const callback = useRef(onChange);
  callback.current = onChange;

  useEffect(() => {
    let seen: number | null = null;
    const subscription = subscribeCatalog((revision) => {
      useCatalogStore.getState().setRevision(revision);
      const loaded = useCatalogStore.getState().status === "ready";
      if (revision !== seen || !loaded) {
        // The first revision after (re)connecting reloads too: the catalog may
        // have changed while we were away, and it ends any backoff wait.
        seen = revision;
        callback.current();
      }
    });
    return () => subscription.close();
  }, []);
}
