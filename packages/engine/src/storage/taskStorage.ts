/**
 * Internal storage as one task run sees it: it writes under its own prefix and reads its own
 * execution's files, its parent or triggering execution's files, and namespace files.
 */
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { SakerError, type FileSource, type NamespaceFiles, type TaskStorage } from "@saker/sdk";
import { friendlyId } from "../model/ids.ts";
import { executionPrefix, isPlainFileName, isUnder, namespaceFilesPrefix, toStoragePath, toUri } from "./paths.ts";
import type { Storage } from "./storage.ts";
import { streamToBuffer } from "./streams.ts";

export interface TaskStorageScope {
  namespace: string;
  /** Where this task run writes (`…/tasks/<task>/<taskRun>`). */
  writePrefix: string;
  /** Prefixes it may read besides namespace files. */
  readPrefixes: string[];
  /** Whether a path outside them is a file of an execution this one started (a Subflow's). */
  childFile?: ((path: string) => Promise<boolean>) | undefined;
}

/** Where an execution was made, and by which execution (a Subflow's parent). */
export interface ExecutionOrigin {
  namespace: string;
  flowId: string;
  parentExecutionId?: string | undefined;
}

/** How many generations down an execution may read its descendants' files (a Subflow's Subflow…). */
const MAX_GENERATIONS = 10;

/**
 * Kestra lets an execution read the files of the executions it started (a Subflow returning a
 * FILE output), and theirs in turn (a file a subflow passes up from its own): `path` is one when
 * it lies under the prefix of an execution that `executionId` is an ancestor of. The answers are
 * kept for the task run; a failed lookup is not.
 */
export function childFileCheck(
  executionId: string,
  origin: (executionId: string) => Promise<ExecutionOrigin | undefined>,
): (path: string) => Promise<boolean> {
  let known: Map<string, ExecutionOrigin | undefined> | undefined;
  const originOf = async (id: string): Promise<ExecutionOrigin | undefined> => {
    known ??= new Map();
    if (known.has(id)) return known.get(id);
    const found = await origin(id);
    known.set(id, found);
    return found;
  };
  const descends = async (path: string, id: string): Promise<boolean> => {
    const owner = await originOf(id);
    if (!owner || !isUnder(path, executionPrefix(owner.namespace, owner.flowId, id))) return false;
    let parent = owner.parentExecutionId;
    for (let generation = 1; parent && generation <= MAX_GENERATIONS; generation++) {
      if (parent === executionId) return true;
      parent = (await originOf(parent))?.parentExecutionId;
    }
    return false;
  };
  return async (path) => {
    // every `/executions/<id>/` of the path is a candidate: a namespace, a flow or a task may
    // itself be named `executions`
    for (const [, id] of path.matchAll(/\/executions\/([0-9A-Za-z]+)(?=\/)/g)) {
      if (id === executionId) continue;
      try {
        if (await descends(path, id!)) return true;
      } catch {
        // a failed lookup denies, and is asked again next time
      }
    }
    return false;
  };
}

const READ_DENIED = "only files of this execution, of the executions it started and namespace files can be read";

/** The storage path of `uri` when `scope` may read it; a STORAGE_ACCESS_DENIED error otherwise. */
export async function readablePath(
  uri: string,
  scope: {
    readPrefixes: readonly string[];
    writePrefix?: string;
    childFile?: ((path: string) => Promise<boolean>) | undefined;
  },
): Promise<string> {
  const path = toStoragePath(uri);
  const prefixes = scope.writePrefix ? [...scope.readPrefixes, scope.writePrefix] : scope.readPrefixes;
  if (prefixes.some((p) => isUnder(path, p)) || path.includes("/_files/")) return path;
  if (scope.childFile && (await scope.childFile(path))) return path;
  throw new SakerError("STORAGE_ACCESS_DENIED", `Unable to read '${uri}': ${READ_DENIED}`);
}

export function readableExecutions(
  namespace: string,
  flowId: string,
  executionId: string,
  related: readonly { namespace: string; flowId: string; executionId: string }[],
): string[] {
  return [
    executionPrefix(namespace, flowId, executionId),
    ...related.map((r) => executionPrefix(r.namespace, r.flowId, r.executionId)),
  ];
}

/** Where an execution's tasks may read: the execution, and the execution that triggered it (parent flow) from `trigger` variables. */
export function executionReadPrefixes(
  namespace: string,
  flowId: string,
  executionId: string,
  triggerVariables: unknown,
): string[] {
  const trigger = (triggerVariables ?? {}) as Record<string, unknown>;
  const related =
    typeof trigger.executionId === "string" &&
    typeof trigger.namespace === "string" &&
    typeof trigger.flowId === "string"
      ? [{ executionId: trigger.executionId, namespace: trigger.namespace, flowId: trigger.flowId }]
      : [];
  return readableExecutions(namespace, flowId, executionId, related);
}

/**
 * The streams a task run (or a trigger's evaluation) opened with `getFile` and has not read to
 * their end. One that fails (or is killed) before it reads one would leave its file open until
 * the collector found it, a file descriptor each: they are closed once the run ends. A killed or
 * timed-out task's code may still be running then: a stream it opens afterwards is closed at once.
 */
export class OpenedStreams {
  /** Made with the first stream: most task runs open none. */
  private open: Set<Readable> | undefined;
  private ended = false;

  add(stream: Readable): Readable {
    if (this.ended) return stream.destroy();
    const open = (this.open ??= new Set());
    open.add(stream);
    stream.once("close", () => open.delete(stream));
    return stream;
  }

  /** Destroys every stream still open, and any opened from now on. */
  closeAll(): void {
    this.ended = true;
    if (!this.open) return;
    for (const stream of this.open) stream.destroy();
    this.open.clear();
  }
}

export function createTaskStorage(storage: Storage, scope: TaskStorageScope, opened?: OpenedStreams): TaskStorage {
  const readable = (uri: string): Promise<string> => readablePath(uri, scope);
  const namespace = (ns = scope.namespace): NamespaceFiles => namespaceFiles(storage, ns);
  return {
    async putFile(source: FileSource, name?: string, options?: { exactName?: boolean }) {
      const fileName = name ?? (typeof source === "string" ? basename(source) : "file");
      if (options?.exactName && !isPlainFileName(fileName)) {
        throw new SakerError(
          "STORAGE_PATH_INVALID",
          `'${fileName}' is not a file name: it may not be empty, hold '/' or '\\', or be '.' or '..'`,
        );
      }
      const path = options?.exactName
        ? `${scope.writePrefix}/${fileName}`
        : `${scope.writePrefix}/${friendlyId()}-${fileName.replace(/[\\/]/g, "_")}`;
      await storage.put(path, source);
      return toUri(path);
    },
    getFile: async (uri) => {
      const stream = await storage.get(await readable(uri));
      return opened ? opened.add(stream) : stream;
    },
    readFile: async (uri) => streamToBuffer(await storage.get(await readable(uri))),
    exists: async (uri) => storage.exists(await readable(uri)),
    size: async (uri) => storage.size(await readable(uri)),
    delete: async (uri) => {
      const path = toStoragePath(uri);
      if (!isUnder(path, scope.writePrefix) && !scope.readPrefixes.some((p) => isUnder(path, p))) {
        throw new SakerError(
          "STORAGE_ACCESS_DENIED",
          `Unable to delete '${uri}': only files of this execution can be deleted`,
        );
      }
      return storage.delete(path);
    },
    namespace,
  };
}

/** Namespace files: `kestra:///<namespace as path>/_files/<path>`. */
export function namespaceFiles(storage: Storage, namespace: string): NamespaceFiles {
  const root = namespaceFilesPrefix(namespace);
  const at = (path: string) => {
    const full = toStoragePath(`${root}/${path.replace(/^\/+/, "")}`);
    if (!isUnder(full, root)) throw new SakerError("STORAGE_PATH_INVALID", `'${path}' is outside the namespace files`);
    return full;
  };
  return {
    namespace,
    list: async (prefix = "") => (await storage.list(at(prefix))).map((p) => p.slice(root.length)),
    get: async (path) => streamToBuffer(await storage.get(at(path))),
    put: async (path, content) => {
      await storage.put(at(path), content);
      return toUri(at(path));
    },
    delete: (path) => storage.delete(at(path)),
    exists: (path) => storage.exists(at(path)),
  };
}
