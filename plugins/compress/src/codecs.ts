/**
 * Kestra's single-file compressions, as Node streams: GZIP, DEFLATE (the zlib format, as Apache
 * Commons Compress writes it) and BROTLI through node:zlib. The other names Kestra lists have no
 * maintained pure-JS streaming codec and fail with a clear error.
 */
import type { Transform } from "node:stream";
import {
  createBrotliCompress,
  createBrotliDecompress,
  createDeflate,
  createGunzip,
  createGzip,
  createInflate,
} from "node:zlib";
import { NonRetryableError } from "@saker/sdk";

export const COMPRESSIONS = [
  "BROTLI",
  "BZIP2",
  "DEFLATE",
  "DEFLATE64",
  "GZIP",
  "LZ4BLOCK",
  "LZ4FRAME",
  "LZMA",
  "SNAPPY",
  "SNAPPYFRAME",
  "XZ",
  "Z",
  "ZSTD",
] as const;
export type Compression = (typeof COMPRESSIONS)[number];

const SUPPORTED: Partial<Record<Compression, { compress: () => Transform; decompress: () => Transform }>> = {
  GZIP: { compress: createGzip, decompress: createGunzip },
  DEFLATE: { compress: createDeflate, decompress: createInflate },
  BROTLI: { compress: createBrotliCompress, decompress: createBrotliDecompress },
};

function codec(compression: Compression) {
  const found = SUPPORTED[compression];
  if (!found)
    throw new NonRetryableError(
      `compression ${compression} is not supported by Saker (supported: ${Object.keys(SUPPORTED).join(", ")})`,
      { path: "compression" },
    );
  return found;
}

export const compressor = (compression: Compression): Transform => codec(compression).compress();
export const decompressor = (compression: Compression): Transform => codec(compression).decompress();
/** Fails now, before any file is read, when `compression` has no codec. */
export const checkCompression = (compression: Compression): void => void codec(compression);
