/**
 * Upload's `checksumAlgorithm` and `checksum` (Kestra's names): the file's checksum is computed
 * as S3 computes it (Base64 of the digest; CRC32 and CRC32C as 4 big-endian bytes), compared with
 * `checksum` when one is given, and sent with the upload so S3 checks the bytes it receives.
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { NonRetryableError } from "@saker/sdk";

/** Kestra's values (the Java SDK's enum names, CRC32_C included) and the S3 header names. */
export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC32_C", "SHA1", "SHA256"] as const;
export type ChecksumAlgorithmName = (typeof CHECKSUM_ALGORITHMS)[number];
export type S3ChecksumAlgorithm = "CRC32" | "CRC32C" | "SHA1" | "SHA256";

export function s3Algorithm(name: ChecksumAlgorithmName): S3ChecksumAlgorithm {
  return name === "CRC32_C" ? "CRC32C" : name;
}

/** The PutObject field carrying a checksum of `algorithm`. */
export function checksumField(
  algorithm: S3ChecksumAlgorithm,
): "ChecksumCRC32" | "ChecksumCRC32C" | "ChecksumSHA1" | "ChecksumSHA256" {
  return `Checksum${algorithm}`;
}

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), which Node does not have. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(chunk: Uint8Array, previous: number): number {
  let crc = ~previous >>> 0;
  for (const byte of chunk) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** The Base64 checksum of a stream, as S3 has it. */
export async function checksumOf(stream: AsyncIterable<Uint8Array>, algorithm: S3ChecksumAlgorithm): Promise<string> {
  if (algorithm === "SHA1" || algorithm === "SHA256") {
    const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
    for await (const chunk of stream) hash.update(chunk);
    return hash.digest("base64");
  }
  let crc = 0;
  for await (const chunk of stream) crc = algorithm === "CRC32" ? crc32(chunk, crc) : crc32c(chunk, crc);
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc >>> 0);
  return bytes.toString("base64");
}

/** Throws when `expected` is not the file's checksum: the file is not the one the flow meant. */
export function checkChecksum(
  expected: string | undefined,
  actual: string,
  algorithm: S3ChecksumAlgorithm,
  what: string,
): void {
  if (expected !== undefined && expected.trim() !== actual)
    throw new NonRetryableError(
      `checksum: the ${algorithm} of ${what} is ${actual}, not ${expected.trim()}: nothing was uploaded`,
    );
}
