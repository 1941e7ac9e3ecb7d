/**
 * Flows as the API shows them (Kestra's `Flow` / `FlowWithSource` JSON) and multi-document YAML.
 */
import { isSakerError } from "@saker/sdk";
import { parseYamlDataAsync, type Instance, type StoredFlow } from "@saker/engine";
import { legacyFilters, parseFilterParams, type Filter } from "../http/filters.ts";
import { notFound } from "../http/errors.ts";

export type FlowJson = Record<string, unknown> & { id: string; namespace: string; revision: number };

/**
 * The flow of a stored revision as JSON (parsed once per revision, off the event loop, then from
 * the flow cache); a revision that no longer validates shows as written.
 */
export async function flowJson(instance: Instance, stored: StoredFlow, withSource: boolean): Promise<FlowJson> {
  let body: Record<string, unknown>;
  try {
    body = { ...(await instance.flows.parseAsync(stored)) };
  } catch (error) {
    if (!isSakerError(error)) throw error;
    let raw: unknown;
    try {
      raw = await parseYamlDataAsync(stored.source, `flow '${stored.namespace}/${stored.id}'`);
    } catch {
      raw = undefined;
    }
    body = raw && typeof raw === "object" && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
  }
  delete body.revision;
  return {
    ...body,
    id: stored.id,
    namespace: stored.namespace,
    revision: stored.revision,
    disabled: stored.disabled,
    deleted: stored.deleted,
    ...(withSource ? { source: stored.source } : {}),
  };
}

/**
 * The latest revision, or the given one; a deleted flow only with `allowDeleted` or a revision.
 * As the database has it: on PostgreSQL another process may have saved it a moment ago.
 */
export async function storedFlow(
  instance: Instance,
  namespace: string,
  id: string,
  revision?: number,
  allowDeleted = false,
): Promise<StoredFlow> {
  await instance.refreshFlow(namespace, id, revision);
  const found = instance.flows.stored(namespace, id, revision);
  if (!found || (found.deleted && revision === undefined && !allowDeleted)) {
    throw notFound(
      "FLOW_NOT_FOUND",
      `Flow '${namespace}/${id}'${revision !== undefined ? ` revision ${revision}` : ""} not found`,
    );
  }
  return found;
}

export interface YamlDocument {
  source: string;
  /** 1-based line of the document's first line in the whole text. */
  line: number;
}

const SEPARATOR = /^---\s*(#.*)?$/;

/** Whether some line holds more than blanks and comments (scanning stops at the first that does). */
function hasContent(source: string): boolean {
  for (let start = 0; start <= source.length;) {
    const end = source.indexOf("\n", start);
    const line = source.slice(start, end === -1 ? source.length : end).trim();
    if (line !== "" && !line.startsWith("#")) return true;
    if (end === -1) return false;
    start = end + 1;
  }
  return false;
}

/**
 * Splits a multi-document YAML text on `---` lines; blank documents are dropped. Line endings
 * become `\n`. Only the lines starting with `---` are looked at, so a 5 MB text splits in a few
 * milliseconds.
 */
export function splitYamlDocuments(text: string): YamlDocument[] {
  const normalised = text.replace(/\r\n/g, "\n");
  const docs: YamlDocument[] = [];
  let docStart = 0;
  let docLine = 1;
  let line = 1;
  let counted = 0;
  for (
    let at = normalised.startsWith("---") ? 0 : normalised.indexOf("\n---");
    at !== -1;
    at = normalised.indexOf("\n---", at + 1)
  ) {
    const lineStart = at === 0 && normalised.startsWith("---") ? 0 : at + 1;
    const lineEnd = normalised.indexOf("\n", lineStart);
    if (!SEPARATOR.test(normalised.slice(lineStart, lineEnd === -1 ? normalised.length : lineEnd))) continue;
    for (let n = normalised.indexOf("\n", counted); n !== -1 && n < lineStart; n = normalised.indexOf("\n", n + 1)) {
      line++;
      counted = n + 1;
    }
    docs.push({ source: normalised.slice(docStart, Math.max(docStart, lineStart - 1)), line: docLine });
    docStart = lineEnd === -1 ? normalised.length + 1 : lineEnd + 1;
    docLine = line + 1;
  }
  docs.push({ source: normalised.slice(Math.min(docStart, normalised.length)), line: docLine });
  return docs.filter((d) => hasContent(d.source));
}

/**
 * Lets other requests run: between documents of a long list, and between saving a big flow and
 * serialising the answer (tens of milliseconds each for a 5 MB flow).
 */
export const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `flowJson` of each flow in turn. */
export async function flowsJson(
  instance: Instance,
  flows: readonly StoredFlow[],
  withSource: boolean,
): Promise<FlowJson[]> {
  const out: FlowJson[] = [];
  for (const stored of flows) out.push(await flowJson(instance, stored, withSource));
  return out;
}

/** The filters of a flow search: `filters[…]`, or the older `q`, `namespace`, `labels` (the engine checks the fields). */
export function flowFilters(
  query: Record<string, unknown> & {
    q?: string | undefined;
    namespace?: string | undefined;
    labels?: string[] | undefined;
  },
): Filter[] {
  return [
    ...parseFilterParams(query),
    ...legacyFilters({ q: query.q, namespace: query.namespace, labels: query.labels }),
  ];
}
