/**
 * List filters kept in the page's URL (so a filtered list can be bookmarked, shared and reloaded)
 * and turned into the API's search parameters (`filters[field][OP]=value`).
 *
 * A page declares its filters once:
 *   const FILTERS = { namespace: { op: "PREFIX" }, state: { op: "IN", multiple: true }, q: { op: "EQUALS" } };
 * The URL holds them by name (`?namespace=company&state=FAILED&state=WARNING&page=2`).
 */

export type FilterOperation =
  | "EQUALS"
  | "NOT_EQUALS"
  | "PREFIX"
  | "CONTAINS"
  | "IN"
  | "NOT_IN"
  | "GREATER_THAN_OR_EQUAL_TO"
  | "LESS_THAN_OR_EQUAL_TO";

export interface FilterSpec {
  /** The API operation used for this filter. */
  op: FilterOperation;
  /** The API's field name when it differs from the URL's (`from` → `startDate`). */
  field?: string;
  /** Several values (`?state=A&state=B`), sent as one `IN` list. */
  multiple?: boolean;
}

export type FilterSpecs = Record<string, FilterSpec>;

/** The values a page's filters hold: one string, or a list for `multiple` ones. */
export type FilterValues<S extends FilterSpecs> = { [K in keyof S]: S[K]["multiple"] extends true ? string[] : string };

export interface ListState<S extends FilterSpecs> {
  filters: FilterValues<S>;
  page: number;
  size: number;
  sort?: string;
}

export const DEFAULT_PAGE_SIZE = 25;

/** Reads a page's filters, page, size and sort from the URL's query. */
export function readListState<S extends FilterSpecs>(
  specs: S,
  query: URLSearchParams,
  defaults: { size?: number; sort?: string } = {},
): ListState<S> {
  const filters = {} as Record<string, string | string[]>;
  for (const [name, spec] of Object.entries(specs)) {
    filters[name] = spec.multiple ? query.getAll(name).filter(Boolean) : (query.get(name) ?? "");
  }
  const page = Math.max(1, Number.parseInt(query.get("page") ?? "1", 10) || 1);
  const size = Math.min(
    500,
    Math.max(1, Number.parseInt(query.get("size") ?? "", 10) || defaults.size || DEFAULT_PAGE_SIZE),
  );
  const sort = query.get("sort") ?? defaults.sort;
  return { filters: filters as FilterValues<S>, page, size, ...(sort ? { sort } : {}) };
}

/** The URL query for a list state; empty filters, page 1 and the default size are left out. */
export function writeListState<S extends FilterSpecs>(
  specs: S,
  state: ListState<S>,
  defaults: { size?: number; sort?: string } = {},
): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of Object.keys(specs)) {
    const value = (state.filters as Record<string, string | string[]>)[name];
    if (Array.isArray(value)) for (const v of value) query.append(name, v);
    else if (value) query.set(name, value);
  }
  if (state.page > 1) query.set("page", String(state.page));
  if (state.size !== (defaults.size ?? DEFAULT_PAGE_SIZE)) query.set("size", String(state.size));
  if (state.sort && state.sort !== defaults.sort) query.set("sort", state.sort);
  return query;
}

/** The API's search parameters: `filters[field][OP]=value`, `page`, `size`, `sort`. */
export function toApiQuery<S extends FilterSpecs>(specs: S, state: ListState<S>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [name, spec] of Object.entries(specs)) {
    const value = (state.filters as Record<string, string | string[]>)[name];
    const field = spec.field ?? name;
    if (Array.isArray(value)) {
      if (value.length) query.append(`filters[${field}][${spec.op}]`, value.join(","));
    } else if (value) {
      query.append(`filters[${field}][${spec.op}]`, value);
    }
  }
  query.set("page", String(state.page));
  query.set("size", String(state.size));
  if (state.sort) query.set("sort", state.sort);
  return query;
}
