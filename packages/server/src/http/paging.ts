/**
 * Paging as Kestra does it: `page` from 1, `size`, `sort=field:asc|desc` (repeatable), and
 * `{results, total}` in the response.
 */
import { parseDuration, z } from "@saker/sdk";
import { badRequest } from "./errors.ts";
import type { FieldTable } from "./filters.ts";

/** A repeatable query parameter: `?x=a&x=b` or `?x=a`, always a list. */
export const multi = () =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional();

export const pagingShape = (defaultSize = 10) => ({
  page: z.coerce.number().int().min(1).default(1).describe("The page, from 1"),
  size: z.coerce.number().int().min(1).max(10_000).default(defaultSize).describe("The page size"),
  sort: multi().describe("Sort as `field:asc` or `field:desc` (repeatable)"),
});

export interface Paged<T> {
  results: T[];
  total: number;
}

export const pagedSchema = <T extends z.ZodType>(item: T) =>
  z.object({ results: z.array(item), total: z.number().int() });

export function paginate<T>(items: readonly T[], page: number, size: number): Paged<T> {
  return { results: items.slice((page - 1) * size, page * size), total: items.length };
}

export interface SortKey {
  field: string;
  desc: boolean;
}

/** Parses `field:asc|desc`; the field must be one the table knows. */
export function parseSort(sort: readonly string[] | undefined, known: readonly string[]): SortKey[] {
  return (sort ?? [])
    .flatMap((s) => s.split(","))
    .filter((s) => s.trim() !== "")
    .map((s) => {
      const [field = "", dir = "asc"] = s.trim().split(":");
      if (!known.includes(field))
        throw badRequest(`Invalid sort field '${field}'; expected one of ${known.join(", ")}`, "query.sort");
      const d = dir.toLowerCase();
      if (d !== "asc" && d !== "desc")
        throw badRequest(`Invalid sort direction '${dir}'; expected asc or desc`, "query.sort");
      return { field, desc: d === "desc" };
    });
}

function sortValue(value: unknown, field: string): string | number {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") return value;
  const text = String(value);
  if (field.toLowerCase().endsWith("duration")) {
    try {
      return parseDuration(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Sorts a copy of `items` by the keys in order (stable). */
export function sortItems<T>(items: readonly T[], keys: readonly SortKey[], table: FieldTable<T>): T[] {
  if (keys.length === 0) return [...items];
  return [...items].sort((a, b) => {
    for (const key of keys) {
      const get = table.fields[key.field]!;
      const va = sortValue(get(a), key.field);
      const vb = sortValue(get(b), key.field);
      const c =
        typeof va === "number" && typeof vb === "number"
          ? va - vb
          : String(va) < String(vb)
            ? -1
            : String(va) > String(vb)
              ? 1
              : 0;
      if (c !== 0) return key.desc ? -c : c;
    }
    return 0;
  });
}
