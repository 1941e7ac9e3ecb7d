/**
 * Internal storage on a local folder. A write goes to a temporary file renamed into place, so a
 * reader never sees half a file.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { SakerError, type FileSource } from "@saker/sdk";
import { asDiskFull } from "./diskFull.ts";
import { toStoragePath } from "./paths.ts";
import type { Storage } from "./storage.ts";

function toReadable(source: FileSource): Readable {
  if (typeof source === "string") return createReadStream(source);
  if (source instanceof Readable) return source;
  if (source instanceof Uint8Array) return Readable.from([source]);
  return Readable.from(source);
}

export class LocalStorage implements Storage {
  constructor(private readonly root: string) {}

  private file(path: string): string {
    const full = join(this.root, toStoragePath(path));
    const rel = relative(this.root, full);
    if (rel.startsWith("..") || rel.startsWith(sep)) throw new SakerError("STORAGE_PATH_INVALID", `'${path}' is outside the storage`);
    return full;
  }

  async put(path: string, source: FileSource): Promise<number> {
    const file = this.file(path);
    const temp = `${file}.${randomBytes(6).toString("hex")}.part`;
    let size = 0;
    const counter = async function* (input: AsyncIterable<Buffer | Uint8Array | string>) {
      for await (const chunk of input) {
        const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        size += buffer.length;
        yield buffer;
      }
    };
    try {
      await mkdir(dirname(file), { recursive: true });
      await pipeline(toReadable(source), counter, createWriteStream(temp));
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw asDiskFull(error, this.root, `writing 'kestra://${toStoragePath(path)}'`);
    }
    return size;
  }

  async get(path: string): Promise<Readable> {
    const file = this.file(path);
    if (!(await this.exists(path))) throw new SakerError("FILE_NOT_FOUND", `Unable to find file at uri 'kestra://${toStoragePath(path)}'`);
    return createReadStream(file);
  }

  async exists(path: string): Promise<boolean> {
    try {
      return (await stat(this.file(path))).isFile();
    } catch {
      return false;
    }
  }

  async size(path: string): Promise<number> {
    try {
      return (await stat(this.file(path))).size;
    } catch {
      throw new SakerError("FILE_NOT_FOUND", `Unable to find file at uri 'kestra://${toStoragePath(path)}'`);
    }
  }

  async delete(path: string): Promise<boolean> {
    try {
      await unlink(this.file(path));
      return true;
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = this.file(prefix);
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
        else if (!entry.name.endsWith(".part")) found.push(`/${relative(this.root, full).split(sep).join("/")}`);
      }
    };
    await walk(base);
    return found.sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const files = await this.list(prefix);
    await rm(this.file(prefix), { recursive: true, force: true });
    return files.length;
  }
}
