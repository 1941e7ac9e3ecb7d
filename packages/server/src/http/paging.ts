/**
 * Paging as Kestra does it: `page` from 1, `size`, `sort=field:asc|desc` (repeatable), and
 * `{results, total}` in the response.
 */
import { z } from "@saker/sdk";
import { MAX_PAGE_SIZE } from "@saker/engine";

/** A repeatable query parameter: `?x=a&x=b` or `?x=a`, always a list. */
export const multi = () =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .optional();

export const pagingShape = (defaultSize = 10) => ({
  page: z.coerce.number().int().min(1).default(1).describe("The page, from 1"),
  size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(defaultSize).describe("The page size"),
  sort: multi().describe("Sort as `field:asc` or `field:desc` (repeatable)"),
});

export interface Paged<T> {
  results: T[];
  total: number;
}

export const pagedSchema = <T extends z.ZodType>(item: T) =>
  z.object({ results: z.array(item), total: z.number().int() });

/** A page of a list held in memory (lists that are not tables: namespaces, declared triggers). */
export function paginate<T>(items: readonly T[], page: number, size: number): Paged<T> {
  return { results: items.slice((page - 1) * size, page * size), total: items.length };
}
