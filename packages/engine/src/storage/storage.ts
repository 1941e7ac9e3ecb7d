import type { Readable } from "node:stream";
import type { FileSource } from "@saker/sdk";

/** Internal storage: files by `kestra://` path. Paths are validated by `toStoragePath` first. */
export interface Storage {
  put(path: string, source: FileSource): Promise<number>;
  get(path: string): Promise<Readable>;
  exists(path: string): Promise<boolean>;
  size(path: string): Promise<number>;
  delete(path: string): Promise<boolean>;
  /** Every file under a prefix, as storage paths. */
  list(prefix: string): Promise<string[]>;
  /** Removes a whole prefix; returns how many files went. */
  deletePrefix(prefix: string): Promise<number>;
  /** Checks the storage can be used (a remote bucket exists, its credentials are accepted). */
  verify?(): Promise<void>;
  /** Releases connections. */
  close?(): void;
}
