// GET /catalog/events: the catalog revision on connect and on every change.
// Reconnects with backoff when the stream breaks; no polling.
import { apiHeaders, apiUrl } from "./config";
import { readSse } from "./sse";

export interface CatalogSubscription {
  close(): void;
}

export function subscribeCatalog(
  onRevision: (revision: number) => void,
  onConnection?: (connected: boolean) => void,
): CatalogSubscription {
  const controller = new AbortController();
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = async () => {
    try {
      const response = await fetch(apiUrl("/catalog/events"), {
        headers: apiHeaders({ Accept: "text/event-stream" }),
        signal: controller.signal,
      });
      if (!response.ok || !response.body) throw new Error(`catalog events: ${response.status}`);
      onConnection?.(true);
      delay = 1000;
      await readSse(response.body, (messages) => {
        for (const message of messages) {
          try {
            const body = JSON.parse(message.data) as { revision?: unknown };
            if (typeof body.revision === "number") onRevision(body.revision);
          } catch {
            // ignore what is not a revision
          }
        }
      });
    } catch {
      // fall through to the reconnect below
    }
    if (controller.signal.aborted) return;
    onConnection?.(false);
    timer = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, 15000);
  };
  void connect();

  return {
    close() {
      controller.abort();
      if (timer) clearTimeout(timer);
    },
  };
}
