/**
 * Which namespaces and which items a purge task (kv.PurgeKV, namespace.PurgeFiles) works on:
 * `namespaces` (with their children unless told otherwise) or a `namespacePattern` glob, then
 * a glob on each item's name.
 */
import { NonRetryableError, z } from "@saker/sdk";
import { wildcardMatch as matchesWildcard } from "../../model/regex.ts";

/** A glob as Kestra's purge tasks read it: `*` is any run of characters, `?` one character. */
export function wildcardMatch(text: string, pattern: string): boolean {
  return matchesWildcard(text, pattern, { dotAll: true });
}

export interface NamespaceSelection {
  namespaces?: readonly string[] | undefined;
  namespacePattern?: string | undefined;
  includeChildNamespaces: boolean;
}

/** The namespaces among `known` that the selection names; all of them when it names none. */
export function selectNamespaces(known: readonly string[], selection: NamespaceSelection): string[] {
  const listed = (selection.namespaces ?? []).filter((n) => n !== "");
  const pattern = selection.namespacePattern?.trim() ? selection.namespacePattern : undefined;
  if (listed.length > 0 && pattern !== undefined) {
    throw new NonRetryableError(
      "Properties `namespaces` and `namespacePattern` can't be used at the same time — use one or the other.",
    );
  }
  if (pattern !== undefined) return known.filter((ns) => wildcardMatch(ns, pattern));
  if (listed.length === 0) return [...known];
  return known.filter((ns) =>
    listed.some((n) => ns === n || (selection.includeChildNamespaces && ns.startsWith(`${n}.`))),
  );
}

/** The items whose name matches `pattern`; all of them without one. */
export function filterByPattern<T>(items: readonly T[], pattern: string | undefined, nameOf: (item: T) => string): T[] {
  if (!pattern?.trim()) return [...items];
  return items.filter((item) => wildcardMatch(nameOf(item), pattern));
}

/** The properties by which the purge tasks name their namespaces (`selectNamespaces` reads them). */
export const namespaceSelectionProperties = {
  namespaces: z.array(z.string()).optional().describe("The namespaces to purge; not with `namespacePattern`."),
  namespacePattern: z
    .string()
    .optional()
    .describe("A glob (`*`, `?`) on the namespaces to purge; not with `namespaces`."),
  includeChildNamespaces: z.boolean().default(true).describe("Purge the child namespaces of `namespaces` too."),
};
