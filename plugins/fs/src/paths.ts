/**
 * Paths as Kestra's file-system tasks see them: every remote path is taken from a root (the user's
 * home when `rootDir` is true, else the server's `/`), `..` never climbs above that root, and the
 * URIs in outputs name the host but never the credentials.
 *
 * @module
 */
import { posix } from "node:path";

/** `path` as an absolute path under the root: `a/b`, `/a/b/` and `/x/../a/b` all give `/a/b`. */
export function normalizeRemote(path: string): string {
  const normalized = posix.normalize(`/${path.replace(/\\/g, "/")}`);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** True when the path as written names a directory (ends with `/`), as Kestra's Move reads `to`. */
export function namesDirectory(path: string): boolean {
  return path.endsWith("/");
}

/** The server path of a path under `root` (the home directory or `/`). */
export function serverPath(root: string, path: string): string {
  const rel = normalizeRemote(path);
  if (root === "/" || root === "") return rel;
  return rel === "/" ? root : posix.join(root, rel);
}

/** `scheme://host/path`: how outputs name a remote file (Kestra leaves the port and user out). */
export function remoteUri(scheme: string, host: string, path: string): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${scheme}://${h}${encodeURI(normalizeRemote(path))}`;
}

/**
 * A file name fit for internal storage from a name a server gave: its last segment only, control
 * characters out, never `.` or `..` (a hostile listing cannot name a place outside the task's files).
 */
export function safeFileName(name: string): string {
  const last = name.replace(/\\/g, "/").split("/").pop() ?? "";
  const cleaned = last.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return cleaned === "" || cleaned === "." || cleaned === ".." ? "file" : cleaned;
}
