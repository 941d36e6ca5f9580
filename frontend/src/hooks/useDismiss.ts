// A popup that closes on Escape and on a press outside it (and, for one placed
// where the pointer was, on a wheel turn anywhere): listened for only while open.
import { useEffect, useRef, type RefObject } from "react";

export function useDismiss(open: boolean, root: RefObject<HTMLElement | null>, onDismiss: () => void, { wheel = false }: { wheel?: boolean } = {}): void {
  const dismiss = useRef(onDismiss);
  useEffect(() => {
    dismiss.current = onDismiss;
  });
  useEffect(() => {
    if (!open) return;
    const away = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !root.current?.contains(event.target as Node)) dismiss.current();
    };
    const kinds = ["mousedown", "keydown", ...(wheel ? ["wheel"] : [])];
    for (const kind of kinds) window.addEventListener(kind, away);
    return () => {
      for (const kind of kinds) window.removeEventListener(kind, away);
    };
  }, [open, root, wheel]);
}
