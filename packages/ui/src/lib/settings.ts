/** The user's settings (Settings page), kept in the browser's localStorage. */
import { useSyncExternalStore } from "react";

export interface Settings {
  theme: "light" | "dark" | "system";
  /** An IANA time zone; "" is the browser's. */
  timeZone: string;
  /** Pre-filled in new flows and list filters. */
  defaultNamespace: string;
  /** The lowest log level shown by default. */
  logLevel: "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR";
}

const KEY = "saker.settings";
export const DEFAULT_SETTINGS: Settings = { theme: "system", timeZone: "", defaultNamespace: "", logLevel: "INFO" };

function read(): Settings {
  try {
    return { ...DEFAULT_SETTINGS, ...(JSON.parse(localStorage.getItem(KEY) ?? "{}") as Partial<Settings>) };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

let current = read();
const listeners = new Set<() => void>();

export function applyTheme(settings: Settings): void {
  const dark =
    settings.theme === "dark" ||
    (settings.theme === "system" && window.matchMedia?.("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

// "system" follows the operating system's theme while the page is open
if (typeof window !== "undefined")
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", () => {
    if (current.theme === "system") applyTheme(current);
  });

export function updateSettings(change: Partial<Settings>): void {
  current = { ...current, ...change };
  localStorage.setItem(KEY, JSON.stringify(current));
  applyTheme(current);
  for (const l of listeners) l();
}

export function getSettings(): Settings {
  return current;
}

export function useSettings(): Settings {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
