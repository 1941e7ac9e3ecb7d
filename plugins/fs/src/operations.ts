/**
 * What the tasks and the trigger do, written once over a {@link Session}: list, download into
 * internal storage, upload from it, delete, move, and the MOVE/DELETE action after a download.
 * Transfers are streamed both ways; nothing is written to the local disk.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { posix } from "node:path";
import { Transform } from "node:stream";
import { errorMessage, NonRetryableError, type Logger, type TaskStorage } from "@saker/sdk";
import { RegexError, userRegex } from "@saker/sdk/regex";
import type { Session } from "./connection.ts";
import { namesDirectory, normalizeRemote, safeFileName } from "./paths.ts";
import { RemoteError, type RemoteEntry } from "./remote/remoteFs.ts";

/** A file as Kestra's fs tasks output it (`path` is the path under the root, or a `kestra://` URI once downloaded). */
export interface FileOutput {
  path: string;
  name: string;
  fileType: "FILE" | "FOLDER" | "FILE_OR_FOLDER";
  symbolicLink: boolean;
  size?: number;
  userId?: number;
  groupId?: number;
  permissions?: number;
  accessDate?: string;
  updatedDate?: string;
}

/** A listed file: its output form and where it is on the server. */
export interface ListedFile {
  file: FileOutput;
  serverPath: string;
}

export const SORTS = ["NONE", "LAST_MODIFIED_ASC", "LAST_MODIFIED_DESC", "NAME_ASC", "NAME_DESC"] as const;
export type Sort = (typeof SORTS)[number];
export const ACTIONS = ["MOVE", "DELETE", "NONE"] as const;
export type Action = (typeof ACTIONS)[number];
export const CHECKSUM_ALGORITHMS = ["MD5", "SHA_1", "SHA_256", "SHA_512"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

const HASHES: Record<ChecksumAlgorithm, string> = { MD5: "md5", SHA_1: "sha1", SHA_256: "sha256", SHA_512: "sha512" };
/** Bounds a recursive listing (links may loop). */
const MAX_DEPTH = 64;

/**
 * The `regExp` property as Java's `matches` reads it: the whole path must match. It runs on RE2
 * (linear time: no pattern can stall the process on a long name), `.` matching line breaks too.
 */
export function fullMatch(regExp: string | undefined): ((path: string) => boolean) | undefined {
  if (regExp === undefined) return undefined;
  let pattern: ReturnType<typeof userRegex>;
  try {
    pattern = userRegex(regExp, { dotAll: true });
  } catch (error) {
    throw new NonRetryableError(
      `Invalid regExp '${regExp}': ${error instanceof RegexError ? error.problem : errorMessage(error)}`,
      { cause: error },
    );
  }
  return (path) => pattern.matches(path);
}

export function fileOutput(session: Session, entry: RemoteEntry): FileOutput {
  return {
    path: session.relative(entry.path),
    name: entry.name,
    fileType: entry.type === "FILE" ? "FILE" : entry.type === "FOLDER" ? "FOLDER" : "FILE_OR_FOLDER",
    symbolicLink: entry.symbolicLink,
    ...(entry.size !== undefined ? { size: entry.size } : {}),
    ...(entry.userId !== undefined ? { userId: entry.userId } : {}),
    ...(entry.groupId !== undefined ? { groupId: entry.groupId } : {}),
    ...(entry.permissions !== undefined ? { permissions: entry.permissions } : {}),
    ...(entry.accessDate ? { accessDate: entry.accessDate.toISOString() } : {}),
    ...(entry.updatedDate ? { updatedDate: entry.updatedDate.toISOString() } : {}),
  };
}

/**
 * The regular files under the directory `from` (its subdirectories too with `recursive`) whose
 * path under the root matches `regExp`; undefined when the directory does not exist.
 */
export async function listFiles(
  session: Session,
  from: string,
  options: { regExp?: string | undefined; recursive: boolean },
): Promise<ListedFile[] | undefined> {
  const matches = fullMatch(options.regExp);
  const dir = session.resolve(from);
  const top = await session.fs.stat(dir);
  if (!top || top.type !== "FOLDER") return undefined;
  const files: ListedFile[] = [];
  const seen = new Set<string>();
  const walk = async (path: string, depth: number): Promise<void> => {
    if (seen.has(path) || depth > MAX_DEPTH) return;
    seen.add(path);
    for (const entry of await session.fs.list(path)) {
      if (entry.type === "FOLDER") {
        if (options.recursive) await walk(entry.path, depth + 1);
        continue;
      }
      if (entry.type !== "FILE") continue;
      const file = fileOutput(session, entry);
      if (!matches || matches(file.path)) files.push({ file, serverPath: entry.path });
    }
  };
  await walk(dir, 0);
  return files;
}

/** {@link listFiles}, failing with a message naming `from` when the directory is missing. */
export async function listExisting(
  session: Session,
  from: string,
  options: { regExp?: string | undefined; recursive: boolean },
): Promise<ListedFile[]> {
  const files = await listFiles(session, from, options);
  if (!files) throw new RemoteError("NOT_FOUND", `Unable to find the directory '${normalizeRemote(from)}'`);
  return files;
}

export function sortFiles<T extends { file: FileOutput }>(files: T[], sort: Sort): T[] {
  if (sort === "NONE") return files;
  const byName = (a: T, b: T) => (a.file.name < b.file.name ? -1 : a.file.name > b.file.name ? 1 : 0);
  const date = (f: T) => (f.file.updatedDate ? Date.parse(f.file.updatedDate) : Number.POSITIVE_INFINITY);
  const compare =
    sort === "NAME_ASC"
      ? byName
      : sort === "NAME_DESC"
        ? (a: T, b: T) => byName(b, a)
        : sort === "LAST_MODIFIED_ASC"
          ? (a: T, b: T) => date(a) - date(b) || byName(a, b)
          : (a: T, b: T) => date(b) - date(a) || byName(a, b);
  return [...files].sort(compare);
}

export function limitFiles<T>(files: T[], maxFiles: number, logger: Logger): T[] {
  if (files.length <= maxFiles) return files;
  logger.warn("Too many files to process ({}), limiting to {}", files.length, maxFiles);
  return files.slice(0, maxFiles);
}

/**
 * Runs a transfer that calls `tick` as bytes move; when none moves for the session's idle timeout,
 * the session is closed (so the pending call ends) and the transfer fails saying so.
 */
async function guardIdle<T>(session: Session, what: string, work: (tick: () => void) => Promise<T>): Promise<T> {
  let idle = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      idle = true;
      void session.fs.close();
    }, session.idleTimeoutMs);
  };
  tick();
  try {
    return await work(tick);
  } catch (error) {
    if (idle) throw new RemoteError("TIMEOUT", `${what}: no data moved for ${session.idleTimeoutMs} ms`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A pass-through stream calling `tick` on every chunk. */
function ticking(tick: () => void, onChunk?: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      tick();
      onChunk?.(chunk);
      callback(null, chunk);
    },
  });
}

export interface Downloaded {
  uri: string;
  checksum: string;
  entry: RemoteEntry;
}

/** Streams one remote file into internal storage, hashing it on the way. */
export async function downloadFile(
  session: Session,
  storage: TaskStorage,
  serverPath: string,
  algorithm: ChecksumAlgorithm = "SHA_256",
): Promise<Downloaded> {
  const entry = await session.fs.stat(serverPath);
  const shown = session.relative(serverPath);
  if (!entry) throw new RemoteError("NOT_FOUND", `Unable to find the file '${shown}'`);
  if (entry.type !== "FILE") throw new NonRetryableError(`'${shown}' is not a file`);
  const hash = createHash(HASHES[algorithm]);
  return guardIdle(session, `Unable to download '${shown}'`, async (tick) => {
    const hashing = ticking(tick, (chunk) => hash.update(chunk));
    const [read, stored] = await Promise.allSettled([
      session.fs.read(serverPath, hashing).catch((error: unknown) => {
        hashing.destroy(error as Error);
        throw error;
      }),
      storage.putFile(hashing, safeFileName(entry.name)),
    ]);
    if (read.status === "rejected") {
      if (stored.status === "fulfilled") await storage.delete(stored.value).catch(() => false);
      throw read.reason;
    }
    if (stored.status === "rejected") throw stored.reason;
    return { uri: stored.value, checksum: hash.digest("hex"), entry };
  });
}

/** Streams a file of internal storage to `to` (a directory when it ends with `/` or is one). */
export async function uploadFile(
  session: Session,
  storage: TaskStorage,
  from: string,
  to: string,
  overwrite: boolean,
): Promise<string> {
  if (!from.startsWith("kestra://")) throw new NonRetryableError(`'from' must be a kestra:// URI, got '${from}'`);
  let target = session.resolve(to);
  const existing = await session.fs.stat(target);
  if (namesDirectory(to) || existing?.type === "FOLDER") {
    target = posix.join(target, safeFileName(posix.basename(new URL(from).pathname)));
  }
  const current = target === session.resolve(to) ? existing : await session.fs.stat(target);
  if (current && !overwrite)
    throw new NonRetryableError(
      `File '${session.relative(target)}' already exists on the server and cannot be overwritten: set overwrite to true to replace it`,
    );
  await session.fs.mkdirs(posix.dirname(target));
  const source = await storage.getFile(from);
  await guardIdle(session, `Unable to upload to '${session.relative(target)}'`, async (tick) => {
    const counted = ticking(tick);
    source.on("error", (error) => counted.destroy(error));
    await session.fs.write(source.pipe(counted), target);
  });
  return target;
}

export interface DeleteResult {
  deleted: boolean;
  uris: string[];
}

async function removeTree(session: Session, path: string): Promise<void> {
  for (const entry of await session.fs.list(path)) {
    if (entry.type === "FOLDER" && !entry.symbolicLink) await removeTree(session, entry.path);
    else await session.fs.remove(entry.path);
  }
  await session.fs.removeDir(path);
}

export async function deletePath(
  session: Session,
  uriOf: (path: string) => string,
  logger: Logger,
  options: { uri: string; errorOnMissing: boolean; recursive: boolean; regExp?: string | undefined },
): Promise<DeleteResult> {
  const target = session.resolve(options.uri);
  const shown = normalizeRemote(options.uri);
  if (options.regExp !== undefined) {
    const files = await listFiles(session, options.uri, { regExp: options.regExp, recursive: options.recursive });
    if (!files) {
      if (options.errorOnMissing) throw new RemoteError("NOT_FOUND", `Unable to find the directory '${shown}'`);
      return { deleted: false, uris: [] };
    }
    if (files.length)
      logger.warn("Deleting {} file(s) matching regExp '{}' under '{}'", files.length, options.regExp, shown);
    const uris: string[] = [];
    for (const { file, serverPath } of files) {
      await session.fs.remove(serverPath);
      uris.push(uriOf(file.path));
    }
    return { deleted: uris.length > 0, uris };
  }
  const entry = await session.fs.stat(target);
  if (!entry) {
    if (options.errorOnMissing) throw new RemoteError("NOT_FOUND", `Unable to find the file '${shown}'`);
    logger.debug("Path doesn't exist '{}'", shown);
    return { deleted: false, uris: [] };
  }
  if (entry.type === "FOLDER") {
    if (options.recursive) await removeTree(session, target);
    else if ((await session.fs.list(target)).length) {
      logger.warn("Directory '{}' is not empty and recursive is false: nothing deleted", shown);
      return { deleted: false, uris: [] };
    } else await session.fs.removeDir(target);
  } else await session.fs.remove(target);
  logger.debug("Deleted path '{}'", shown);
  return { deleted: true, uris: [] };
}

/** Moves `from` to `to` (into it, keeping the name, when `to` ends with `/` or is a directory). */
export async function movePath(
  session: Session,
  from: string,
  to: string,
  overwrite: boolean,
  logger: Logger,
): Promise<{ from: string; to: string }> {
  const source = session.resolve(from);
  const entry = await session.fs.stat(source);
  if (!entry) throw new RemoteError("NOT_FOUND", `Unable to find the file '${normalizeRemote(from)}'`);
  let target = session.resolve(to);
  let existing = await session.fs.stat(target);
  if ((namesDirectory(to) || existing?.type === "FOLDER") && entry.type !== "FOLDER") {
    target = posix.join(target, posix.basename(source));
    existing = await session.fs.stat(target);
  }
  if (target === source) return { from: session.relative(source), to: session.relative(target) };
  if (existing) {
    if (!overwrite)
      throw new NonRetryableError(
        `File '${session.relative(target)}' already exists on the server and cannot be overwritten: set overwrite to true to replace it`,
      );
    logger.warn("File '{}' already exists on the server and will be overwritten", session.relative(target));
    if (existing.type === "FOLDER") await removeTree(session, target);
    else await session.fs.remove(target);
  } else {
    await session.fs.mkdirs(posix.dirname(target));
  }
  await session.fs.rename(source, target);
  return { from: session.relative(source), to: session.relative(target) };
}

/** Fails before anything is downloaded when `action` is MOVE without a `moveDirectory`. */
export function checkAction(action: Action | undefined, moveDirectory: string | undefined): void {
  if (action === "MOVE" && !moveDirectory) throw new NonRetryableError("moveDirectory is required when action is MOVE");
}

/** Kestra's `action` after a download: delete the files, or move them into `moveDirectory`. */
export async function performAction(
  session: Session,
  files: readonly ListedFile[],
  action: Action,
  moveDirectory: string | undefined,
  logger: Logger,
): Promise<void> {
  if (action === "NONE") return;
  if (action === "MOVE" && !moveDirectory) throw new NonRetryableError("moveDirectory is required when action is MOVE");
  for (const { serverPath, file } of files) {
    if (action === "DELETE") await session.fs.remove(serverPath);
    else await movePath(session, file.path, `${normalizeRemote(moveDirectory!)}/`, true, logger);
  }
}
