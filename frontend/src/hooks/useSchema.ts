// The catalog for the whole editor: loads on mount with retry + backoff and
// refetches whenever /catalog/events announces a new revision.
import { useEffect, useRef } from "react";
import { useCatalogStore } from "../store/catalogStore";
import { createSchemaLoader, defaultLoaderDeps, type SchemaLoader } from "../api/schemaLoader";
import { useCatalogEvents } from "./useCatalogEvents";

export function useSchema() {
  const loader = useRef<SchemaLoader | null>(null);

  useEffect(() => {
    const { setCatalog, setFailure, setReload } = useCatalogStore.getState();
    loader.current = createSchemaLoader({
      ...defaultLoaderDeps,
      onReady: (schemas, packs) => setCatalog(schemas, packs.packs, packs.clashes),
      onFailure: setFailure,
    });
    setReload(() => loader.current?.reload());
    return () => loader.current?.stop();
  }, []);

  useCatalogEvents(() => loader.current?.reload());

  const status = useCatalogStore((s) => s.status);
  const error = useCatalogStore((s) => s.error);
  return { status, error, reload: () => loader.current?.reload() };
}
