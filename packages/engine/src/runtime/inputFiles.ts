/**
 * A FILE input given as a URI rather than an upload: `kestra://` (a file the new execution may
 * read: its own, the triggering execution's, or a namespace file of its namespace) or Kestra's
 * `nsfile:///path` (a namespace file of the flow's namespace). Anything else is refused when the
 * execution is created, not later when a task fails to read it.
 */
import { SakerError } from "@saker/sdk";
import { isUnder, namespaceFilesPrefix, toStoragePath, toUri } from "../storage/paths.ts";
import type { Storage } from "../storage/storage.ts";

const NSFILE_SCHEME = "nsfile://";

export interface InputFileScope {
  /** The flow's namespace. */
  namespace: string;
  /** Execution prefixes the execution may read (its own, its parent's). */
  readPrefixes: readonly string[];
}

function nsfilePath(uri: string, namespace: string): string {
  const rest = uri.slice(NSFILE_SCHEME.length);
  const slash = rest.indexOf("/");
  const owner = slash === 0 ? namespace : rest.slice(0, slash === -1 ? undefined : slash);
  if (owner !== namespace)
    throw new SakerError(
      "STORAGE_ACCESS_DENIED",
      `'${uri}' is a file of namespace '${owner}'; a FILE input may only name namespace files of '${namespace}'`,
    );
  return toStoragePath(`${namespaceFilesPrefix(namespace)}/${slash === -1 ? "" : rest.slice(slash + 1)}`);
}

/** The `kestra://` URI of a FILE input given as a URI; throws when the execution may not read it or it does not exist. */
export async function inputFileUri(storage: Storage, scope: InputFileScope, uri: string): Promise<string> {
  const path = uri.startsWith(NSFILE_SCHEME) ? nsfilePath(uri, scope.namespace) : toStoragePath(uri);
  const allowed = [...scope.readPrefixes, namespaceFilesPrefix(scope.namespace)].some((prefix) =>
    isUnder(path, prefix),
  );
  if (!allowed) {
    throw new SakerError(
      "STORAGE_ACCESS_DENIED",
      `'${uri}' cannot be read by this execution; a FILE input takes an upload, a file of this execution or of the one that started it, or a namespace file of '${scope.namespace}'`,
    );
  }
  if (!(await storage.exists(path)))
    throw new SakerError("FILE_NOT_FOUND", `Unable to find file at uri '${toUri(path)}'`);
  return toUri(path);
}
