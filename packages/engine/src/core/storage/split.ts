/** Line-based storage tasks: Split (by bytes, rows or partitions) and Reverse. */
import { createWriteStream, type WriteStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { once } from "node:events";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { defineTask, NonRetryableError, z, type RunContext } from "@saker/sdk";
import { lines } from "../../storage/ionLines.ts";
import { extensionOf, storageUri, tempName } from "./common.ts";

/** `1KB`, `10MB`, `1GB` (powers of 1024) or a plain number of bytes. */
export function readableBytes(text: string): number {
  const match = /^(\d+)\s*(kb|mb|gb)?$/i.exec(text.trim());
  if (!match)
    throw new NonRetryableError(
      `Invalid size with value '${text}' (expected a number of bytes or e.g. 10KB, 5MB, 1GB)`,
    );
  const unit = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(match[2] ?? "").toLowerCase() as "kb"] ?? 1;
  return Number(match[1]) * unit;
}

class TempWriter {
  private readonly stream: WriteStream;
  constructor(readonly path: string) {
    this.stream = createWriteStream(path);
  }
  async write(data: string | Buffer): Promise<void> {
    if (!this.stream.write(data)) await once(this.stream, "drain");
  }
  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, "finish");
  }
}

async function newWriter(ctx: RunContext, extension: string): Promise<TempWriter> {
  return new TempWriter(join(await ctx.workingDir(), tempName(extension)));
}

/** Starts a new file whenever `full(bytes, rows)` says the current one is full. */
async function splitBy(
  ctx: RunContext,
  uri: string,
  separator: string,
  extension: string,
  full: (bytes: number, rows: number) => boolean,
): Promise<string[]> {
  const paths: string[] = [];
  let writer: TempWriter | undefined;
  let bytes = 0;
  let rows = 0;
  for await (const row of lines(await ctx.storage.getFile(uri))) {
    if (!writer || full(bytes, rows)) {
      await writer?.close();
      writer = await newWriter(ctx, extension);
      paths.push(writer.path);
      bytes = 0;
      rows = 0;
    }
    const data = row + separator;
    await writer.write(data);
    bytes += Buffer.byteLength(data);
    rows++;
  }
  await writer?.close();
  return paths;
}

async function partition(
  ctx: RunContext,
  uri: string,
  separator: string,
  extension: string,
  count: number,
): Promise<string[]> {
  const writers = await Promise.all(Array.from({ length: count }, () => newWriter(ctx, extension)));
  let index = 0;
  for await (const row of lines(await ctx.storage.getFile(uri))) {
    await writers[index]!.write(row + separator);
    index = (index + 1) % count;
  }
  await Promise.all(writers.map((w) => w.close()));
  const sizes = await Promise.all(writers.map(async (w) => (await stat(w.path)).size));
  return writers.filter((_, i) => sizes[i]! > 0).map((w) => w.path);
}

export const Split = defineTask({
  type: "io.kestra.plugin.core.storage.Split",
  aliases: ["io.kestra.core.tasks.storages.Split"],
  title: "Split a file into several",
  description:
    "Splits a text file by size (`bytes`), by number of lines (`rows`) or into `partitions` files (lines dealt in turn). Exactly one of them must be set.",
  examples: [
    {
      title: "Files of 100 lines",
      code: 'id: split\ntype: io.kestra.plugin.core.storage.Split\nfrom: "{{ inputs.file }}"\nrows: 100',
    },
  ],
  properties: z.object({
    from: z.string().describe("The kestra:// URI of the file to split."),
    bytes: z.string().optional().describe("Maximum size of each file, e.g. 10MB."),
    partitions: z.number().int().min(1).optional().describe("Number of files to create."),
    rows: z.number().int().min(1).optional().describe("Lines per file."),
    separator: z.string().default("\n").describe("Written after each line."),
  }),
  outputs: z.object({ uris: z.array(z.string()) }),
  async run({ from, bytes, partitions, rows, separator }, ctx) {
    const uri = storageUri(from, "from");
    const extension = extensionOf(uri);
    const set = [bytes, partitions, rows].filter((v) => v !== undefined).length;
    if (set !== 1) throw new NonRetryableError("Exactly one of 'bytes', 'partitions' or 'rows' must be set");
    let paths: string[];
    if (bytes !== undefined) {
      const limit = readableBytes(bytes);
      paths = await splitBy(ctx, uri, separator, extension, (size) => size >= limit);
    } else if (rows !== undefined) paths = await splitBy(ctx, uri, separator, extension, (_, count) => count >= rows);
    else paths = await partition(ctx, uri, separator, extension, partitions!);
    const uris: string[] = [];
    for (const path of paths) uris.push(await ctx.storage.putFile(path));
    return { uris };
  },
});

const CHARSETS: Record<string, BufferEncoding> = {
  "utf-8": "utf8",
  utf8: "utf8",
  "iso-8859-1": "latin1",
  latin1: "latin1",
  "us-ascii": "ascii",
  ascii: "ascii",
  "windows-1252": "latin1",
};

function encodingOf(charset: string): BufferEncoding {
  const encoding = CHARSETS[charset.trim().toLowerCase()];
  if (!encoding)
    throw new NonRetryableError(`Unsupported charset '${charset}'; supported: UTF-8, ISO-8859-1, US-ASCII`);
  return encoding;
}

/** The lines of a local file from the last to the first, read backwards in blocks. */
async function* reversedLines(path: string, encoding: BufferEncoding): AsyncGenerator<string> {
  const handle = await open(path, "r");
  try {
    let position = (await handle.stat()).size;
    let rest = Buffer.alloc(0);
    let first = true;
    while (position > 0) {
      const size = Math.min(64 * 1024, position);
      position -= size;
      const block = Buffer.alloc(size);
      await handle.read(block, 0, size, position);
      let data = Buffer.concat([block, rest]);
      let cut = data.lastIndexOf(0x0a);
      while (cut >= 0) {
        const line = data.subarray(cut + 1);
        if (!(first && line.length === 0)) yield stripCr(line).toString(encoding);
        first = false;
        data = data.subarray(0, cut);
        cut = data.lastIndexOf(0x0a);
      }
      rest = Buffer.from(data);
    }
    if (rest.length > 0 || !first) yield stripCr(rest).toString(encoding);
  } finally {
    await handle.close();
  }
}

function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
}

export const Reverse = defineTask({
  type: "io.kestra.plugin.core.storage.Reverse",
  aliases: ["io.kestra.core.tasks.storages.Reverse"],
  title: "Reverse the lines of a file",
  properties: z.object({
    from: z.string().describe("The kestra:// URI of the file."),
    separator: z.string().default("\n").describe("Written after each line."),
    charset: z.string().default("UTF-8").describe("The file's character set."),
  }),
  outputs: z.object({ uri: z.string() }),
  async run({ from, separator, charset }, ctx) {
    const uri = storageUri(from, "from");
    const encoding = encodingOf(charset);
    const extension = extensionOf(uri);
    const original = join(await ctx.workingDir(), tempName(extension));
    await pipeline(await ctx.storage.getFile(uri), createWriteStream(original));
    const writer = await newWriter(ctx, extension);
    for await (const line of reversedLines(original, encoding))
      await writer.write(Buffer.from(line + separator, encoding));
    await writer.close();
    return { uri: await ctx.storage.putFile(writer.path) };
  },
});
