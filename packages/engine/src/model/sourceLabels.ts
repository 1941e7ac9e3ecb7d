/** The labels of a flow source (map or list form) without validating it; none when unreadable. */
import type { Label } from "./execution.ts";
import { parseYamlData } from "./dataLimits.ts";

export function sourceLabels(source: string): Label[] {
  try {
    return normaliseLabels((parseYamlData(source, "flow") as { labels?: unknown } | null)?.labels);
  } catch {
    return [];
  }
}

/** Labels as a flow writes them (a map, or a list of key/value pairs) as a list. */
export function normaliseLabels(raw: unknown): Label[] {
  if (Array.isArray(raw)) return raw.filter(isMap).map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (isMap(raw)) return Object.entries(raw).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
