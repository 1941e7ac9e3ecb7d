/**
 * Writing and reading ZIP (and JAR, a ZIP) and TAR archives, streamed: yazl/yauzl for ZIP,
 * tar-stream for TAR. Extraction writes each entry to a file of `dir` and never follows, creates
 * or accepts a link; it checks every name and the limits while reading, so a bomb stops early.
 */
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import type { Duplex, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NonRetryableError, type TaskStorage } from "@saker/sdk";
import tar from "tar-stream";
import yauzl from "yauzl";
import yazl from "yazl";
import { safeEntryName } from "./entryNames.ts";
import { Budget } from "./limits.ts";
import { corrupt, counted } from "./streams.ts";

export const ALGORITHMS = ["AR", "ARJ", "CPIO", "DUMP", "JAR", "TAR", "ZIP"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

const SUPPORTED: readonly Algorithm[] = ["JAR", "TAR", "ZIP"];

export function checkAlgorithm(algorithm: Algorithm): void {
  if (!SUPPORTED.includes(algorithm))
    throw new NonRetryableError(
      `archive algorithm ${algorithm} is not supported by Saker (supported: ${SUPPORTED.join(", ")})`,
      { path: "algorithm" },
    );
}

/** Writes the archive of `files` (entry name → kestra:// URI) through `compress` (when given) to `target`. */
export async function writeArchive(
  algorithm: Algorithm,
  files: ReadonlyArray<readonly [string, string]>,
  storage: TaskStorage,
  compress: Duplex | undefined,
  target: string,
): Promise<void> {
  const out = createWriteStream(target);
  if (algorithm === "TAR") {
    const pack = tar.pack();
    const done = pipeline([pack as unknown as Readable, ...(compress ? [compress] : []), out]);
    done.catch(() => undefined);
    try {
      for (const [name, uri] of files) {
        const size = await storage.size(uri);
        await pipeline(await storage.getFile(uri), pack.entry({ name, size, type: "file" }));
      }
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
      await done.catch(() => undefined);
      throw error;
    }
    await done;
    return;
  }
  const zip = new yazl.ZipFile();
  const sources: Readable[] = [];
  try {
    for (const [, uri] of files) sources.push(await storage.getFile(uri));
  } catch (error) {
    for (const s of sources) s.destroy();
    out.destroy();
    throw error;
  }
  const output = zip.outputStream as Readable;
  zip.on("error", (error: Error) => output.destroy(error));
  files.forEach(([name], i) => {
    const source = sources[i]!;
    source.on("error", (error) => output.destroy(error));
    zip.addReadStream(source, name);
  });
  zip.end();
  await pipeline([output, ...(compress ? [compress] : []), out]);
}

/** One extracted entry: its name in the archive and the file of `dir` holding its content. */
export interface Extracted {
  name: string;
  path: string;
  size: number;
}

function refuseLink(name: string): never {
  throw new NonRetryableError(`entry '${name}' is a link: links are refused`);
}

/** Extracts the TAR read from `source` (already decompressed) into `dir`. */
export async function extractTar(source: Readable, dir: string, budget: Budget): Promise<Extracted[]> {
  const extract = tar.extract();
  const feeding = pipeline(source, extract);
  feeding.catch(() => undefined);
  const found: Extracted[] = [];
  let current: string | undefined;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      current = header.name;
      const name = safeEntryName(header.name);
      if (header.type === "symlink" || header.type === "link") refuseLink(header.name);
      if (header.type === "directory") {
        entry.resume();
        continue;
      }
      if (header.type !== "file" && header.type !== "contiguous-file")
        throw new NonRetryableError(
          `entry '${header.name}' has type ${header.type ?? "unknown"}: only files are accepted`,
        );
      budget.entry(name);
      const path = join(dir, String(found.length));
      const size = { bytes: 0 };
      const counter = counted(budget, name);
      counter.on("data", (chunk: Buffer) => (size.bytes += chunk.length));
      await pipeline(entry, counter, createWriteStream(path));
      found.push({ name, path, size: size.bytes });
      current = undefined;
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    source.destroy();
    throw corrupt(error, "the TAR archive", current);
  }
  return found;
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off("entry", onEntry);
      zip.off("end", onEnd);
      zip.off("error", onError);
    };
    const onEntry = (entry: yauzl.Entry) => (done(), resolve(entry));
    const onEnd = () => (done(), resolve(undefined));
    const onError = (error: Error) => (done(), reject(error));
    zip.on("entry", onEntry);
    zip.on("end", onEnd);
    zip.on("error", onError);
    zip.readEntry();
  });
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Extracts the ZIP file `archive` into `dir`. */
export async function extractZip(
  archive: string,
  dir: string,
  budget: Budget,
  maxEntries: number,
): Promise<Extracted[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(archive, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (error) {
    throw corrupt(error, "the ZIP archive");
  }
  zip.on("error", () => undefined);
  const found: Extracted[] = [];
  let current: string | undefined;
  try {
    if (zip.entryCount > maxEntries)
      throw new NonRetryableError(`the archive holds ${zip.entryCount} entries, more than ${maxEntries} (maxEntries)`);
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const raw = Buffer.from(entry.fileName as unknown as Uint8Array).toString("utf8");
      current = raw;
      const name = safeEntryName(raw);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) refuseLink(raw);
      if (raw.endsWith("/")) continue;
      budget.entry(name);
      budget.add(0, name);
      const path = join(dir, String(found.length));
      const stream = await zip.openReadStreamPromise(entry);
      const size = { bytes: 0 };
      const counter = counted(budget, name);
      counter.on("data", (chunk: Buffer) => (size.bytes += chunk.length));
      await pipeline(stream, counter, createWriteStream(path));
      found.push({ name, path, size: size.bytes });
      current = undefined;
    }
  } catch (error) {
    throw corrupt(error, "the ZIP archive", current);
  } finally {
    zip.close();
  }
  return found;
}
