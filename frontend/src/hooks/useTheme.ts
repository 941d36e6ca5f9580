// The editor's theme: the user's pick (light, dark) or the system's, applied as
// data-theme on <html> so every stylesheet follows; returns the theme in force.
import { useLayoutEffect, useSyncExternalStore } from "react";
import { useUiStore, type Theme } from "../store/uiStore";

const DARK = "(prefers-color-scheme: dark)";

export function resolveTheme(theme: Theme, systemDark: boolean): "light" | "dark" {
  return theme === "system" ? (systemDark ? "dark" : "light") : theme;
}

function systemDark(): boolean {
  return typeof window !== "undefined" && typeof window.matchMedia === "function" && window.matchMedia(DARK).matches;
}

/** Set <html data-theme> at once, before the first paint (main.tsx calls it). */
export function applyTheme(theme: Theme = useUiStore.getState().theme): "light" | "dark" {
  const resolved = resolveTheme(theme, systemDark());
  document.documentElement.dataset.theme = resolved;
  return resolved;
}

/** The system's preference, as an external store React can subscribe to. */
function subscribeSystem(onChange: () => void): () => void {
  if (typeof window === "undefined" || typeof window.matchMedia !== "function") return () => undefined;
  const query = window.matchMedia(DARK);
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

export function useTheme(): "light" | "dark" {
  const theme = useUiStore((s) => s.theme);
  const dark = useSyncExternalStore(subscribeSystem, systemDark);
  const resolved = resolveTheme(theme, dark);
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = resolved;
  }, [resolved]);
  return resolved;
}
