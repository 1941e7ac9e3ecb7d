/**
 * The four tasks of Kestra's compress plugin. Every result is first written to a scratch folder
 * of the working directory and stored only once complete, so a failure leaves no half file in
 * storage; files stored before a later one failed are deleted again.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NonRetryableError, defineTask, z, type AnyTaskDefinition, type RunContext } from "@saker/sdk";
import { ALGORITHMS, checkAlgorithm, extractTar, extractZip, writeArchive, type Extracted } from "./archives.ts";
import { COMPRESSIONS, checkCompression, compressor, decompressor, type Compression } from "./codecs.ts";
import { safeEntryName } from "./entryNames.ts";
import { Budget, limitProperties, limitsOf } from "./limits.ts";
import { corrupt, counted } from "./streams.ts";

const PREFIX = "io.kestra.plugin.compress";

const EXTENSIONS: Partial<Record<Compression, string>> = {
  GZIP: ".gz",
  DEFLATE: ".deflate",
  BROTLI: ".br",
  BZIP2: ".bz2",
};

const fromUri = z.string().min(1).describe("The file's internal storage URI (`kestra://…`).");
const compression = z.enum(COMPRESSIONS);

async function withScratch<T>(ctx: RunContext, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(await ctx.workingDir(), ".compress-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function fileName(uri: string): string {
  const last = uri.split("/").pop() ?? "file";
  return decodeURIComponent(last) || "file";
}

/** `from` as Kestra takes it: a map, or a JSON text of one. */
function fromMap(from: Record<string, string> | string): Array<[string, string]> {
  let map: unknown = from;
  if (typeof from === "string") {
    try {
      map = JSON.parse(from);
    } catch {
      map = undefined;
    }
  }
  if (!map || typeof map !== "object" || Array.isArray(map))
    throw new NonRetryableError("from must be a map of entry name to kestra:// URI (or a JSON text of one)", {
      path: "from",
    });
  return Object.entries(map).map(([name, uri]) => {
    if (typeof uri !== "string") throw new NonRetryableError(`from.${name} must be a kestra:// URI`, { path: "from" });
    return [safeEntryName(name, "from key"), uri];
  });
}

async function storeAll(ctx: RunContext, files: Extracted[]): Promise<Record<string, string>> {
  const stored: Record<string, string> = {};
  try {
    for (const file of files) {
      const base = file.name.split("/").pop()!.replace(/\s/g, "_");
      // An archive may hold one name twice: the last one wins, as when extracting to a folder.
      const earlier = stored[file.name];
      if (earlier) await ctx.storage.delete(earlier);
      stored[file.name] = await ctx.storage.putFile(createReadStream(file.path), base);
    }
  } catch (error) {
    for (const uri of Object.values(stored)) await ctx.storage.delete(uri).catch(() => false);
    throw error;
  }
  return stored;
}

export const ArchiveCompress = defineTask({
  type: `${PREFIX}.ArchiveCompress`,
  title: "Compress files into an archive",
  description:
    "Writes the files of `from` (entry name → `kestra://` URI) into one ZIP, JAR or TAR archive, optionally compressed as a whole (GZIP over TAR gives a .tar.gz).",
  examples: [
    {
      title: "A .tar.gz of two files",
      code: `id: archive\ntype: ${PREFIX}.ArchiveCompress\nfrom:\n  products.csv: "{{ outputs.products.uri }}"\n  orders.csv: "{{ outputs.orders.uri }}"\nalgorithm: TAR\ncompression: GZIP`,
    },
  ],
  properties: z.object({
    from: z
      .union([z.record(z.string(), z.string()), z.string()])
      .describe(
        "The files: entry name (a relative path, `/` for folders) → `kestra://` URI, or a JSON text of such a map.",
      ),
    algorithm: z.enum(ALGORITHMS).describe("The archive format: ZIP, JAR or TAR in Saker."),
    compression: compression
      .optional()
      .describe("A compression applied to the whole archive: GZIP, DEFLATE or BROTLI."),
  }),
  outputs: z.object({ uri: z.string().describe("URI of the archive on internal storage.") }),
  async run({ from, algorithm, compression }, ctx) {
    checkAlgorithm(algorithm);
    if (compression) checkCompression(compression, "compress");
    const files = fromMap(from);
    return withScratch(ctx, async (dir) => {
      const target = join(dir, "archive");
      await writeArchive(algorithm, files, ctx.storage, compression ? compressor(compression) : undefined, target);
      const ext = `.${algorithm === "TAR" ? "tar" : algorithm.toLowerCase()}${compression ? (EXTENSIONS[compression] ?? "") : ""}`;
      return { uri: await ctx.storage.putFile(createReadStream(target), `archive${ext}`) };
    });
  },
});

export const ArchiveDecompress = defineTask({
  type: `${PREFIX}.ArchiveDecompress`,
  title: "Extract the files of an archive",
  description:
    "Reads a ZIP, JAR or TAR archive (optionally compressed as a whole) and stores every file it holds. Entry names with `..` or an absolute path, links and archives past the limits are refused.",
  examples: [
    {
      title: "Extract a .tar.gz",
      code: `id: extract\ntype: ${PREFIX}.ArchiveDecompress\nfrom: "{{ inputs.file }}"\nalgorithm: TAR\ncompression: GZIP`,
    },
  ],
  properties: z.object({
    from: fromUri,
    algorithm: z.enum(ALGORITHMS).describe("The archive format: ZIP, JAR or TAR in Saker."),
    compression: compression
      .optional()
      .describe("The compression of the whole archive: GZIP, DEFLATE, BROTLI or BZIP2."),
    ...limitProperties,
  }),
  outputs: z.object({
    files: z.record(z.string(), z.string()).describe("Entry name → URI of the extracted file on internal storage."),
  }),
  async run({ from, algorithm, compression, maxEntries, maxSize }, ctx) {
    checkAlgorithm(algorithm);
    if (compression) checkCompression(compression, "decompress");
    const limits = limitsOf({ maxEntries, maxSize }, ctx.pluginConfiguration());
    return withScratch(ctx, async (dir) => {
      const source = await ctx.storage.getFile(from);
      // The decompressed archive itself may be a bomb: it gets room for the content plus headers.
      const outer = new Budget({ maxEntries: 1, maxSize: limits.maxSize + 1024 * limits.maxEntries + 1024 * 1024 });
      const steps = compression ? [decompressor(compression), counted(outer, fileName(from))] : [];
      const budget = new Budget(limits);
      let extracted: Extracted[];
      if (algorithm === "TAR") {
        // One pipeline for the decompression, so a failure on either side closes every stream.
        const input = steps.length ? new PassThrough() : source;
        if (steps.length) pipeline([source, ...steps, input]).catch((e: Error) => input.destroy(e));
        extracted = await extractTar(input, dir, budget);
      } else {
        const archive = join(dir, "archive");
        try {
          await pipeline([source, ...steps, createWriteStream(archive)]);
        } catch (error) {
          throw corrupt(error, "the compressed archive");
        }
        extracted = await extractZip(archive, dir, budget, limits.maxEntries);
      }
      const files = await storeAll(ctx, extracted);
      ctx.metric({ name: "count", type: "counter", value: extracted.length });
      ctx.metric({ name: "size", type: "counter", value: extracted.reduce((sum, f) => sum + f.size, 0) });
      return { files };
    });
  },
});

export const FileCompress = defineTask({
  type: `${PREFIX}.FileCompress`,
  title: "Compress a file",
  description: "Compresses one stored file with GZIP, DEFLATE (zlib) or BROTLI.",
  examples: [
    {
      title: "Gzip a file",
      code: `id: gzip\ntype: ${PREFIX}.FileCompress\nfrom: "{{ inputs.file }}"\ncompression: GZIP`,
    },
  ],
  properties: z.object({ from: fromUri, compression: compression.describe("GZIP, DEFLATE or BROTLI in Saker.") }),
  outputs: z.object({ uri: z.string().describe("URI of the compressed file on internal storage.") }),
  async run({ from, compression }, ctx) {
    checkCompression(compression, "compress");
    return withScratch(ctx, async (dir) => {
      const target = join(dir, "file");
      await pipeline(await ctx.storage.getFile(from), compressor(compression), createWriteStream(target));
      const name = fileName(from) + (EXTENSIONS[compression] ?? "");
      return { uri: await ctx.storage.putFile(createReadStream(target), name) };
    });
  },
});

export const FileDecompress = defineTask({
  type: `${PREFIX}.FileDecompress`,
  title: "Decompress a file",
  description:
    "Decompresses one stored GZIP, DEFLATE (zlib), BROTLI or BZIP2 file; `maxSize` bounds what it may expand to.",
  examples: [
    {
      title: "Gunzip a file",
      code: `id: gunzip\ntype: ${PREFIX}.FileDecompress\nfrom: "{{ inputs.file }}"\ncompression: GZIP`,
    },
  ],
  properties: z.object({
    from: fromUri,
    compression: compression.describe("GZIP, DEFLATE, BROTLI or BZIP2 in Saker."),
    maxSize: limitProperties.maxSize,
  }),
  outputs: z.object({ uri: z.string().describe("URI of the decompressed file on internal storage.") }),
  async run({ from, compression, maxSize }, ctx) {
    checkCompression(compression, "decompress");
    const limits = limitsOf({ maxSize }, ctx.pluginConfiguration());
    return withScratch(ctx, async (dir) => {
      const target = join(dir, "file");
      const name = fileName(from);
      const source = await ctx.storage.getFile(from);
      try {
        await pipeline(source, decompressor(compression), counted(new Budget(limits), name), createWriteStream(target));
      } catch (error) {
        throw corrupt(error, `the ${compression} file`);
      }
      const ext = EXTENSIONS[compression];
      const plain = ext && name.endsWith(ext) && name.length > ext.length ? name.slice(0, -ext.length) : name;
      return { uri: await ctx.storage.putFile(createReadStream(target), plain) };
    });
  },
});

export const compressTasks: AnyTaskDefinition[] = [
  ArchiveCompress,
  ArchiveDecompress,
  FileCompress,
  FileDecompress,
] as unknown as AnyTaskDefinition[];
