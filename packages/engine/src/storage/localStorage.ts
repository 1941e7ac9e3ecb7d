/**
 * Internal storage on a local folder. A write goes to a temporary file renamed into place, so a
 * reader never sees half a file. No operation follows a symbolic link below the root: a link
 * left in the folder (by a script task, say) reads as missing and is never listed.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { lstat, mkdir, readdir, rename, rm, unlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { SakerError, type FileSource } from "@saker/sdk";
import { asDiskFull } from "./diskFull.ts";
import { assertNoLinkBelow, openRegularFile, readStreamNoFollow } from "./noFollow.ts";
import { toStoragePath, toUri } from "./paths.ts";
import type { Storage } from "./storage.ts";

/** A local path (a file a task wrote) is read without following a link at its last component. */
export async function toReadable(source: FileSource): Promise<Readable> {
  if (typeof source === "string") return readStreamNoFollow(source);
  if (source instanceof Readable) return source;
  if (source instanceof Uint8Array) return Readable.from([source]);
  return Readable.from(source);
}

export class LocalStorage implements Storage {
  constructor(private readonly root: string) {}

  /** The file of a storage path, checked to hold no symbolic link below the root. */
  private async file(path: string): Promise<string> {
    const full = join(this.root, toStoragePath(path));
    const rel = relative(this.root, full);
    if (rel.startsWith("..") || rel.startsWith(sep))
      throw new SakerError("STORAGE_PATH_INVALID", `'${path}' is outside the storage`);
    await assertNoLinkBelow(this.root, full, toUri(path));
    return full;
  }

  /** Whether the path holds a regular file (a link, even to one, does not count). */
  private async regularFile(path: string): Promise<{ file: string; size: number } | undefined> {
    try {
      const file = await this.file(path);
      const info = await lstat(file);
      return info.isFile() ? { file, size: info.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async put(path: string, source: FileSource): Promise<number> {
    const file = await this.file(path);
    const temp = `${file}.${randomBytes(6).toString("hex")}.part`;
    let size = 0;
    const counter = async function* (input: AsyncIterable<Buffer | Uint8Array | string>) {
      for await (const chunk of input) {
        const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        size += buffer.length;
        yield buffer;
      }
    };
    let sink: WriteStream | undefined;
    try {
      await mkdir(dirname(file), { recursive: true });
      await assertNoLinkBelow(this.root, file, toUri(path));
      const input = await toReadable(source);
      sink = createWriteStream(temp, { flags: "wx" });
      await pipeline(input, counter, sink);
      await rename(temp, file);
    } catch (error) {
      // a file stream destroyed while it opens creates its file afterwards: removed once it closed
      if (sink && !sink.closed) await once(sink, "close").catch(() => undefined);
      await rm(temp, { force: true });
      throw asDiskFull(error, this.root, `writing 'kestra://${toStoragePath(path)}'`);
    }
    return size;
  }

  async get(path: string): Promise<Readable> {
    const handle = await openRegularFile(await this.file(path), toUri(path));
    if (!handle) throw new SakerError("FILE_NOT_FOUND", `Unable to find file at uri '${toUri(path)}'`);
    return handle.createReadStream();
  }

  async exists(path: string): Promise<boolean> {
    return (await this.regularFile(path)) !== undefined;
  }

  async size(path: string): Promise<number> {
    const found = await this.regularFile(path);
    if (!found) throw new SakerError("FILE_NOT_FOUND", `Unable to find file at uri '${toUri(path)}'`);
    return found.size;
  }

  async delete(path: string): Promise<boolean> {
    try {
      await unlink(await this.file(path));
      return true;
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = await this.file(prefix);
    const found: string[] = [];
    const walk = async (dir: string) => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.isFile() && !entry.name.endsWith(".part"))
          found.push(`/${relative(this.root, full).split(sep).join("/")}`);
      }
    };
    await walk(base);
    return found.sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const files = await this.list(prefix);
    await rm(await this.file(prefix), { recursive: true, force: true });
    return files.length;
  }
}
