/** Flows as the list and the flow page show them: labels, the list's filters, an export of several flows. */
import type { Flow, Label } from "../api/types.ts";
import type { FilterSpecs } from "./urlFilters.ts";

/** The flows list's filters: a namespace prefix, a text (id or namespace) and a label `key:value`. */
export const FLOW_FILTERS = {
  namespace: { op: "PREFIX" },
  q: { op: "EQUALS" },
  labels: { op: "EQUALS" },
} as const satisfies FilterSpecs;

/** A flow's labels as a list, whether the API gave a list or a map. */
export function flowLabels(labels: Flow["labels"]): Label[] {
  if (!labels) return [];
  if (Array.isArray(labels)) return labels.filter((l) => l && typeof l.key === "string");
  return Object.entries(labels).map(([key, value]) => ({ key, value: String(value) }));
}

/** A key for a flow in a selection. */
export const flowKey = (f: { namespace: string; id: string }) => `${f.namespace}\u0000${f.id}`;

export function fromFlowKey(key: string): { namespace: string; id: string } {
  const at = key.indexOf("\u0000");
  return { namespace: key.slice(0, at), id: key.slice(at + 1) };
}

/**
 * Several flows' sources as one multi-document YAML file (`---` between them), which
 * `POST /flows/bulk` imports again; a source's own final newline is kept once.
 */
export function multiDocumentYaml(sources: readonly string[]): string {
  return sources.map((s) => (s.endsWith("\n") ? s : `${s}\n`)).join("---\n");
}

/** A file name for an export: the flow's own name for one flow, a dated name for several. */
export function exportFileName(flows: readonly { namespace: string; id: string }[], now = new Date()): string {
  if (flows.length === 1) return `${flows[0]!.namespace}.${flows[0]!.id}.yml`;
  return `flows-${now.toISOString().slice(0, 19).replace(/[:T]/g, "-")}.yml`;
}

/** The page range shown under a list: `26–50 of 2,000`. */
export function pageRange(page: number, size: number, total: number): string {
  if (total === 0) return "0 of 0";
  const first = (page - 1) * size + 1;
  const last = Math.min(total, page * size);
  return `${first.toLocaleString("en-US")}–${last.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`;
}
