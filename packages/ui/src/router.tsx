/**
 * A small client-side router over the History API. Paths are written without the `/ui` base
 * (`/flows/edit/ns/id`); `Link` and `navigate` add it.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

export const BASE = "/ui";

export interface Location {
  /** The path below the base, starting with `/`. */
  path: string;
  query: URLSearchParams;
  /** `path` plus `?query`. */
  href: string;
}

const listeners = new Set<() => void>();
let current = readLocation();

function readLocation(): Location {
  const pathname = window.location.pathname;
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) || "/" : pathname;
  const search = window.location.search;
  return { path, query: new URLSearchParams(search), href: path + search };
}

function changed(): void {
  const next = readLocation();
  if (next.href === current.href) return;
  current = next;
  for (const l of listeners) l();
}

window.addEventListener("popstate", changed);

/** Goes to `to` (a path below the base, with an optional query). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = BASE + (to.startsWith("/") ? to : `/${to}`);
  if (options.replace) window.history.replaceState(null, "", url);
  else window.history.pushState(null, "", url);
  changed();
  if (!options.replace) window.scrollTo(0, 0);
}

/** Replaces the query string of the current location (filters kept in the URL). */
export function setQuery(query: URLSearchParams): void {
  const q = query.toString();
  navigate(current.path + (q ? `?${q}` : ""), { replace: true });
}

export function useLocation(): Location {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}

/** Matches `/flows/edit/:namespace/:id/:tab?` against a path; undefined when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    const value = have[i];
    if (part.startsWith(":")) {
      const optional = part.endsWith("?");
      const name = part.slice(1, optional ? -1 : undefined);
      if (value === undefined) {
        if (optional) continue;
        return undefined;
      }
      params[name] = decodeURIComponent(value);
    } else if (part !== value) return undefined;
  }
  return have.length <= want.length ? params : undefined;
}

/** A path from segments, each one encoded: `pathOf("flows", "edit", ns, id)`. */
export function pathOf(...segments: string[]): string {
  return "/" + segments.map((s) => encodeURIComponent(s)).join("/");
}

export type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={BASE + to} onClick={handle} {...rest} />;
}
