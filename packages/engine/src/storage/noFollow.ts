/**
 * File access that never follows a symbolic link. A script task can leave a link in its working
 * directory, or in the storage folder itself, pointing at `/etc/passwd`: storage and working
 * directories refuse to read, write or list through such a link instead of serving its target.
 */
import { constants } from "node:fs";
import { lstat, open, type FileHandle } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import { SakerError } from "@saker/sdk";

export function linkRefused(what: string): SakerError {
  return new SakerError(
    "STORAGE_LINK_REFUSED",
    `'${what}' is or goes through a symbolic link; links are never followed`,
  );
}

/**
 * Checks every component of `full` below `root` (the root itself is trusted): throws when one is
 * a symbolic link or when `full` is not below `root`. Components that do not exist yet are fine.
 */
export async function assertNoLinkBelow(root: string, full: string, what = full): Promise<void> {
  const rel = relative(root, full);
  if (rel.startsWith("..") || rel.startsWith(sep))
    throw new SakerError("STORAGE_PATH_INVALID", `'${what}' is outside its root`);
  let current = root;
  for (const part of rel.split(sep).filter((p) => p !== "")) {
    current = join(current, part);
    let info;
    try {
      info = await lstat(current);
    } catch {
      return;
    }
    if (info.isSymbolicLink()) throw linkRefused(what);
  }
}

/** Opens a regular file for reading, refusing a link at its last component; null when missing. */
export async function openRegularFile(file: string, what = file): Promise<FileHandle | null> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw linkRefused(what);
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw error;
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    return null;
  }
  return handle;
}

/** A stream over a regular file, never through a link at its last component. */
export async function readStreamNoFollow(file: string, what = file): Promise<Readable> {
  const handle = await openRegularFile(file, what);
  if (!handle) throw new SakerError("FILE_NOT_FOUND", `Unable to find file '${what}'`);
  return handle.createReadStream();
}

/** The bytes of a regular file below `root`, with no link anywhere below `root`. */
export async function readFileBelow(root: string, file: string, what = file): Promise<Buffer> {
  await assertNoLinkBelow(root, file, what);
  const handle = await openRegularFile(file, what);
  if (!handle) throw new SakerError("FILE_NOT_FOUND", `Unable to find file '${what}'`);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
