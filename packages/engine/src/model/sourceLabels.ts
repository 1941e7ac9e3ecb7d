/** The labels of a flow source (map or list form) without validating it; none when unreadable. */
import YAML from "yaml";
import type { Label } from "./execution.ts";
import { normaliseLabels } from "./parseFlow.ts";

export function sourceLabels(source: string): Label[] {
  try {
    return normaliseLabels((YAML.parse(source) as { labels?: unknown } | null)?.labels);
  } catch {
    return [];
  }
}
