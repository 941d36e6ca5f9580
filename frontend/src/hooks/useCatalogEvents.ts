// Follows GET /catalog/events and calls `onChange` when the revision moves.
import { useEffect, useEffectEvent } from "react";
import { subscribeCatalog } from "../api/catalog";
import { useCatalogStore } from "../store/catalogStore";

export function useCatalogEvents(onChange: () => void) {
  const changed = useEffectEvent(onChange);

  useEffect(() => {
    let seen: number | null = null;
    const subscription = subscribeCatalog((revision) => {
      useCatalogStore.getState().setRevision(revision);
      const loaded = useCatalogStore.getState().status === "ready";
      if (revision !== seen || !loaded) {
        // The first revision after (re)connecting reloads too: the catalog may
        // have changed while we were away, and it ends any backoff wait.
        seen = revision;
        changed();
      }
    });
    return () => subscription.close();
  }, []);
}
