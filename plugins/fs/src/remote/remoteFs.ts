/**
 * What the tasks and the trigger need of a remote file system, whatever the protocol: SFTP and
 * FTP(S) each implement it once. Paths here are server paths (absolute, already resolved against
 * the root); the errors are {@link RemoteError}s with a kind the callers turn into task errors.
 *
 * @module
 */
import type { Readable, Writable } from "node:stream";

export type RemoteFileType = "FILE" | "FOLDER" | "OTHER";

/** One entry of a directory, or what `stat` tells of a path. */
export interface RemoteEntry {
  /** The entry's server path. */
  path: string;
  name: string;
  type: RemoteFileType;
  symbolicLink: boolean;
  size?: number;
  updatedDate?: Date;
  accessDate?: Date;
  userId?: number;
  groupId?: number;
  permissions?: number;
}

export interface RemoteFs {
  /** The directory the session starts in (the user's home). */
  home(): Promise<string>;
  /** The entry at `path`, or undefined when there is none. */
  stat(path: string): Promise<RemoteEntry | undefined>;
  /** The entries of a directory (without `.` and `..`). */
  list(dir: string): Promise<RemoteEntry[]>;
  /** Streams the file's bytes into `into` (ended when the file is). */
  read(path: string, into: Writable): Promise<void>;
  /** Writes the file from `from`, replacing it. */
  write(from: Readable, path: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Removes an empty directory. */
  removeDir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Creates the directory and its missing parents. */
  mkdirs(path: string): Promise<void>;
  /** Ends the session; pending calls fail. Never throws. */
  close(): Promise<void>;
}

export type RemoteErrorKind = "AUTH" | "UNREACHABLE" | "NOT_FOUND" | "TIMEOUT" | "FAILED";

/** A failure of the remote side, classified so a task can say what went wrong. */
export class RemoteError extends Error {
  readonly kind: RemoteErrorKind;
  constructor(kind: RemoteErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = "RemoteError";
  }
}
