/**
 * `kestra://` URIs and the layout of internal storage (Kestra's `StorageContext`): the namespace's
 * dots become folders, flow, task and trigger ids are slugified.
 */
import { SakerError } from "@saker/sdk";

export const SCHEME = "kestra://";

/** Flow, task and namespace ids recur at every task run: their paths are kept, up to `MEMO_SIZE` of each. */
const MEMO_SIZE = 2000;
const slugs = new Map<string, string>();
const namespacePaths = new Map<string, string>();

function remember(memo: Map<string, string>, key: string, value: string): void {
  if (key.length > 256) return;
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(key, value);
}

/** Lower-case letters, digits, `_` and `-`; anything else becomes `-`. */
export function slugify(value: string): string {
  let slug = slugs.get(value);
  if (slug === undefined) {
    slug = value
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "-")
      .replace(/^-+|-+$/g, "");
    remember(slugs, value, slug);
  }
  return slug;
}

export function namespacePath(namespace: string): string {
  let path = namespacePaths.get(namespace);
  if (path === undefined) remember(namespacePaths, namespace, (path = `/${namespace.split(".").join("/")}`));
  return path;
}

export function executionPrefix(namespace: string, flowId: string, executionId: string): string {
  return `${namespacePath(namespace)}/${slugify(flowId)}/executions/${executionId}`;
}

export function taskPrefix(
  namespace: string,
  flowId: string,
  executionId: string,
  taskId: string,
  taskRunId: string,
): string {
  return `${executionPrefix(namespace, flowId, executionId)}/tasks/${slugify(taskId)}/${taskRunId}`;
}

export function inputPrefix(namespace: string, flowId: string, executionId: string, inputId: string): string {
  return `${executionPrefix(namespace, flowId, executionId)}/inputs/${inputId}`;
}

export function triggerPrefix(namespace: string, flowId: string, executionId: string, triggerId: string): string {
  return `${executionPrefix(namespace, flowId, executionId)}/trigger/${slugify(triggerId)}`;
}

export function namespaceFilesPrefix(namespace: string): string {
  return `${namespacePath(namespace)}/_files`;
}

/**
 * The storage path of a `kestra://` URI (or of a path), normalised. Rejects `..`, encoded
 * separators, backslashes and NUL bytes, so a path can never leave the storage root.
 */
export function toStoragePath(uriOrPath: string): string {
  let path = uriOrPath.startsWith(SCHEME) ? uriOrPath.slice(SCHEME.length) : uriOrPath;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw new SakerError("STORAGE_PATH_INVALID", `'${uriOrPath}' is not a valid storage URI`);
  }
  if (decoded.includes("\0") || decoded.includes("\\") || /%2f|%5c|%2e/i.test(path)) {
    throw new SakerError("STORAGE_PATH_INVALID", `'${uriOrPath}' is not a valid storage URI`);
  }
  path = decoded.startsWith("/") ? decoded : `/${decoded}`;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..")
      throw new SakerError("STORAGE_PATH_INVALID", `'${uriOrPath}' leaves its folder ('..' is not allowed)`);
    parts.push(part);
  }
  return `/${parts.join("/")}`;
}

export function toUri(path: string): string {
  return `${SCHEME}${toStoragePath(path)}`;
}

/** True when `path` is `prefix` or below it. */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
}

/** A name that stays in its folder: no separator, no NUL, not `.` or `..`, not empty. */
export function isPlainFileName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[\\/\0]/.test(name);
}
