/**
 * Kestra's single-file compressions, as Node streams: GZIP, DEFLATE (the zlib format, as Apache
 * Commons Compress writes it) and BROTLI through node:zlib, BZIP2 decoding through
 * unbzip2-stream (no pure-JS streaming bzip2 encoder exists). The other names Kestra lists have
 * no pure-JS streaming codec and fail with a clear error.
 */
import type { Duplex } from "node:stream";
import unbzip2 from "unbzip2-stream";
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

interface Codec {
  compress?: () => Duplex;
  decompress: () => Duplex;
}

const SUPPORTED: Partial<Record<Compression, Codec>> = {
  GZIP: { compress: createGzip, decompress: createGunzip },
  DEFLATE: { compress: createDeflate, decompress: createInflate },
  BROTLI: { compress: createBrotliCompress, decompress: createBrotliDecompress },
  BZIP2: { decompress: unbzip2 },
};

function supported(direction: "compress" | "decompress"): string {
  return Object.entries(SUPPORTED)
    .filter(([, c]) => c[direction])
    .map(([name]) => name)
    .join(", ");
}

function codec(compression: Compression, direction: "compress" | "decompress"): () => Duplex {
  const found = SUPPORTED[compression]?.[direction];
  if (!found)
    throw new NonRetryableError(
      `compression ${compression} is not supported by Saker to ${direction} (supported: ${supported(direction)})`,
      { path: "compression" },
    );
  return found;
}

export const compressor = (compression: Compression): Duplex => codec(compression, "compress")();
export const decompressor = (compression: Compression): Duplex => codec(compression, "decompress")();
/** Fails now, before any file is read, when `compression` has no codec that way. */
export const checkCompression = (compression: Compression, direction: "compress" | "decompress"): void =>
  void codec(compression, direction);
