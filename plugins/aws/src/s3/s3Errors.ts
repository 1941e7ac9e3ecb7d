/**
 * Turns what the AWS SDK throws into task errors that name the bucket and key: a missing bucket or
 * key, refused credentials and bad requests cannot be fixed by a retry; an unreachable endpoint,
 * throttling and server faults can.
 */
import { NonRetryableError, TaskError, isSakerError, type SakerError } from "@saker/sdk";

/** What a call was doing, for the message: `GetObject of s3://bucket/key`. */
export interface S3Target {
  operation: string;
  bucket: string;
  key?: string;
  /** The destination of a copy (`bucket` and `key` are then its source). */
  to?: { bucket: string; key: string };
  /** The endpoint, when not AWS's own. */
  endpoint?: string;
}

interface SdkError {
  name?: string;
  /** The bucket S3 names in a NoSuchBucket error: a copy involves two. */
  BucketName?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: "client" | "server";
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "TimeoutError",
]);

const DENIED = new Set(["AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"]);

function where(target: S3Target): string {
  const from = target.key === undefined ? `bucket '${target.bucket}'` : `'s3://${target.bucket}/${target.key}'`;
  return target.to ? `${from} to 's3://${target.to.bucket}/${target.to.key}'` : from;
}

/**
 * The bucket a NoSuchBucket error is about: the one S3 names, else the target's; for a copy
 * between two buckets S3 did not name, either.
 */
function missingBucket(error: SdkError, target: S3Target): string {
  if (error.BucketName) return `bucket '${error.BucketName}'`;
  if (target.to && target.to.bucket !== target.bucket) return `bucket '${target.bucket}' or '${target.to.bucket}'`;
  return `bucket '${target.bucket}'`;
}

function networkCode(error: SdkError): string | undefined {
  const cause = (error as { cause?: SdkError }).cause;
  for (const candidate of [error.code, error.name, cause?.code])
    if (candidate && NETWORK_CODES.has(candidate)) return candidate;
  return undefined;
}

/** The task error for `error`, thrown by the SDK while doing `target`. */
export function s3Failure(error: unknown, target: S3Target, signal?: AbortSignal): SakerError {
  if (isSakerError(error)) return error;
  const e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as SdkError;
  const name = e.name ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const what = `${target.operation} of ${where(target)}`;
  if (signal?.aborted || name === "AbortError")
    return new TaskError(`${what} was stopped: the task timed out or was killed`);
  if (name === "NoSuchBucket")
    return new NonRetryableError(`${what} failed: ${missingBucket(e, target)} does not exist`);
  if (name === "NoSuchKey" || (name === "NotFound" && target.key !== undefined))
    return new NonRetryableError(`${what} failed: no object has key '${target.key}' in bucket '${target.bucket}'`);
  if (DENIED.has(name) || status === 403)
    return new NonRetryableError(
      `${what} was refused (${name}): ${(e.message ?? "access denied").replace(/\.$/, "")}; check accessKeyId, secretKeyId and the permissions of the key`,
    );
  if (name === "CredentialsProviderError")
    return new NonRetryableError(
      `${what} failed: no credentials; set accessKeyId and secretKeyId (or configure the AWS SDK's default chain)`,
    );
  if (/region is missing/i.test(e.message ?? ""))
    return new NonRetryableError(`${what} failed: no region; set the region property`, {
      details: { property: "region" },
    });
  const code = networkCode(e);
  if (code)
    return new TaskError(`${what} failed: cannot reach ${target.endpoint ?? "the S3 endpoint"} (${code})`, {
      cause: error,
    });
  const detail = `${name}${status ? `, HTTP ${status}` : ""}: ${e.message ?? ""}`.trim();
  return e.$fault === "server" || (status !== undefined && status >= 500) || name === "SlowDown"
    ? new TaskError(`${what} failed (${detail})`)
    : new NonRetryableError(`${what} failed (${detail})`);
}

/** Runs `call`, turning a failure into {@link s3Failure}'s error. */
export async function s3Call<T>(target: S3Target, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw s3Failure(error, target, signal);
  }
}
