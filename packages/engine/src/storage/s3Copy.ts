/**
 * Copies every file of a storage (a local folder, for `saker migrate`) into an S3 storage, file by
 * file, streaming. Idempotent: a file already in the bucket with the same size is skipped, so an
 * interrupted copy is simply run again. A file that fails is reported and the copy goes on.
 */
import { errorMessage, isSakerError, SakerError, type SakerErrorCode } from "@saker/sdk";
import { normalizeKeyPrefix, type S3Storage } from "./s3Storage.ts";
import type { Storage } from "./storage.ts";

/** Failures of the bucket itself, not of one file: the copy stops. */
const STOPPING = new Set<SakerErrorCode>([
  "STORAGE_UNREACHABLE",
  "STORAGE_CREDENTIALS_REJECTED",
  "STORAGE_BUCKET_NOT_FOUND",
]);

export interface CopyProgress {
  /** Files found in the source. */
  total: number;
  copied: number;
  skipped: number;
  failed: number;
  /** Bytes copied so far. */
  bytes: number;
}

export interface CopyReport extends CopyProgress {
  failures: { path: string; error: string }[];
}

export interface CopyOptions {
  /** Files copied at the same time (default 4). */
  concurrency?: number;
  /** Called after each file, with what happened to it. */
  onFile?: (path: string, outcome: "copied" | "skipped" | "failed", progress: CopyProgress) => void;
}

/** `s3://bucket/some/prefix` → bucket and prefix. */
export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)(\/.*)?$/.exec(url.trim());
  if (!match)
    throw new SakerError("CLI_USAGE", `'${url}' is not an S3 location: write s3://bucket or s3://bucket/prefix`);
  return { bucket: match[1]!, prefix: normalizeKeyPrefix(match[2]) };
}

export async function copyToS3(source: Storage, target: S3Storage, options: CopyOptions = {}): Promise<CopyReport> {
  const paths = await source.list("/");
  const there = await target.sizes("/");
  const report: CopyReport = { total: paths.length, copied: 0, skipped: 0, failed: 0, bytes: 0, failures: [] };
  const copyOne = async (path: string) => {
    let outcome: "copied" | "skipped" | "failed";
    try {
      const size = await source.size(path);
      if (there.get(path) === size) {
        outcome = "skipped";
        report.skipped++;
      } else {
        // Not `report.bytes += await …`: that reads `bytes` before the await, losing concurrent copies.
        const copied = await target.put(path, await source.get(path));
        report.bytes += copied;
        outcome = "copied";
        report.copied++;
      }
    } catch (error) {
      if (isSakerError(error) && STOPPING.has(error.code)) {
        stop ??= error;
        return;
      }
      outcome = "failed";
      report.failed++;
      report.failures.push({ path, error: errorMessage(error) });
    }
    options.onFile?.(path, outcome, report);
  };
  let stop: Error | undefined;
  let next = 0;
  const worker = async () => {
    while (next < paths.length && !stop) await copyOne(paths[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  if (stop) throw stop;
  return report;
}
