/**
 * Paths that come from a request: namespace file paths and `kestra://` storage URIs. The query
 * string was decoded once already; anything that still looks encoded (`%2e`, `%2f`, `%25…`),
 * any `..` or `.` segment, backslash, NUL or control character, or a Windows drive is refused
 * with a 400 before the path reaches storage (which checks again).
 */
import { ApiError } from "./errors.ts";

const SCHEME = "kestra://";

function invalid(what: string, raw: string, reason: string): ApiError {
  return new ApiError(400, "PATH_INVALID", `Invalid ${what} '${raw.replace(/[\u0000-\u001f]/g, "?")}': ${reason}`, {
    path: `query.${what}`,
  });
}

/** Checks a slash-separated path; returns it normalised with a leading `/` (no trailing one). */
export function checkRelativePath(raw: string, what = "path"): string {
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw invalid(what, raw, "control characters are not allowed");
  if (raw.includes("\\")) throw invalid(what, raw, "backslashes are not allowed");
  if (/%[0-9a-f]{2}/i.test(raw)) throw invalid(what, raw, "encoded characters are not allowed (was it encoded twice?)");
  if (/^[a-z]:/i.test(raw) || raw.startsWith("//"))
    throw invalid(what, raw, "absolute paths outside the namespace are not allowed");
  const segments = raw.split("/").filter((s) => s !== "");
  for (const s of segments) {
    if (s === ".." || s === ".") throw invalid(what, raw, "'.' and '..' segments are not allowed");
    if (s.trim() === "") throw invalid(what, raw, "blank path segments are not allowed");
  }
  return `/${segments.join("/")}`;
}

/** A namespace file path (`/scripts/run.sh`); the root is `/`. */
export function namespaceFilePath(raw: string | undefined, what = "path"): string {
  if (raw === undefined || raw === "") return "/";
  return checkRelativePath(raw, what);
}

/** A `kestra:///…` URI's storage path (`/company/team/…`). */
export function storagePathOf(raw: string, what = "path"): string {
  if (!raw.startsWith(SCHEME)) throw invalid(what, raw, "expected a kestra:/// URI");
  const path = checkRelativePath(raw.slice(SCHEME.length), what);
  if (path === "/") throw invalid(what, raw, "the URI names no file");
  return path;
}
