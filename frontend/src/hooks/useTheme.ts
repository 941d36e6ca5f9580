// The editor's theme: the user's pick (light, dark) or the system's, applied as
// data-theme on <html> so every stylesheet follows; returns the theme in force.
import { useEffect, useState } from "react";
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

export function useTheme(): "light" | "dark" {
  const theme = useUiStore((s) => s.theme);
  const [resolved, setResolved] = useState(() => applyTheme(theme));
  useEffect(() => {
    setResolved(applyTheme(theme));
    if (theme !== "system" || typeof window.matchMedia !== "function") return;
    const query = window.matchMedia(DARK);
    const follow = () => setResolved(applyTheme(theme));
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, [theme]);
  return resolved;
}
