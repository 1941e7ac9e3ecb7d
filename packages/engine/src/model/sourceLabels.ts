/** The labels of a flow source (map or list form) without validating it; none when unreadable. */
import type { Label } from "./execution.ts";
import { parseYamlData } from "./dataLimits.ts";
import { normaliseLabels } from "./parseFlow.ts";

export function sourceLabels(source: string): Label[] {
  try {
    return normaliseLabels((parseYamlData(source, "flow") as { labels?: unknown } | null)?.labels);
  } catch {
    return [];
  }
}
