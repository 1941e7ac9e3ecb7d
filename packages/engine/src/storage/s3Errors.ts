/**
 * What an S3 failure means for the person running Saker: the endpoint cannot be reached, the
 * credentials are refused, the bucket is missing, or another error of the server. Messages name
 * the bucket and the endpoint's host, never a credential.
 */
import { errorMessage, isSakerError, SakerError } from "@saker/sdk";

/** Where the storage is, for messages. */
export interface S3Place {
  bucket: string;
  endpoint: string | undefined;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "EPROTO",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);
const CREDENTIAL_ERRORS = new Set([
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "InvalidToken",
  "ExpiredToken",
  "TokenRefreshRequired",
  "CredentialsProviderError",
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The endpoint's scheme, host and port (no user info, no path), or AWS's. */
export function endpointLabel(endpoint: string | undefined): string {
  if (!endpoint) return "AWS S3";
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}`;
  } catch {
    return "the configured endpoint";
  }
}

/** True when a request failed because the object is not there. */
export function isNotFound(error: unknown): boolean {
  const e = error as SdkError | null;
  return (
    e?.name === "NoSuchKey" ||
    e?.name === "NotFound" ||
    (e?.$metadata?.httpStatusCode === 404 && e.name !== "NoSuchBucket")
  );
}

function isNetworkError(error: SdkError): boolean {
  if (error.name === "TimeoutError" || error.name === "RequestTimeout") return true;
  if (error.code && NETWORK_CODES.has(error.code)) return true;
  const cause = (error as { cause?: SdkError }).cause;
  return cause?.code !== undefined && NETWORK_CODES.has(cause.code);
}

/**
 * The SakerError of a failed S3 request (`doing` says what Saker was doing, e.g. "reading
 * 'kestra:///a.txt'"). A Saker error (a missing secret, say) passes through. `bucketRequest`
 * marks a request on the bucket itself, where a bare 404 means the bucket is missing.
 */
export function s3Error(error: unknown, place: S3Place, doing: string, bucketRequest = false): Error {
  if (isSakerError(error)) return error;
  const e = (error ?? {}) as SdkError;
  const where = `bucket '${place.bucket}' at ${endpointLabel(place.endpoint)}`;
  const status = e.$metadata?.httpStatusCode;
  if (isNetworkError(e)) {
    return new SakerError(
      "STORAGE_UNREACHABLE",
      `Unable to reach the S3 storage at ${endpointLabel(place.endpoint)} (${doing}): ${e.code ?? e.name ?? errorMessage(error)}; check storage.endpoint and that the server is up`,
      { cause: error, details: { bucket: place.bucket } },
    );
  }
  if (e.name === "NoSuchBucket" || (bucketRequest && status === 404)) {
    return new SakerError(
      "STORAGE_BUCKET_NOT_FOUND",
      `The S3 bucket '${place.bucket}' does not exist at ${endpointLabel(place.endpoint)} (${doing}); create it or fix storage.bucket`,
      { cause: error, details: { bucket: place.bucket } },
    );
  }
  if ((e.name && CREDENTIAL_ERRORS.has(e.name)) || status === 401 || status === 403) {
    const reason = e.name && e.name !== "Unknown" && e.name !== "UnknownError" ? e.name : `HTTP ${status ?? "error"}`;
    return new SakerError(
      "STORAGE_CREDENTIALS_REJECTED",
      e.name === "CredentialsProviderError"
        ? `No S3 credentials for ${where} (${doing}): give an access key and a secret key (storage.accessKey and storage.secretKey), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`
        : `The S3 storage refused the credentials for ${where} (${doing}): ${reason}; check storage.accessKey, storage.secretKey and the bucket's permissions`,
      { cause: error, details: { bucket: place.bucket } },
    );
  }
  const message = e.message && e.message !== "UnknownError" ? e.message : `HTTP ${status ?? "error"}`;
  return new SakerError(
    "STORAGE_FAILED",
    `The S3 storage failed ${doing} in ${where}: ${e.name ?? "Error"}: ${message}`,
    {
      cause: error,
      details: { bucket: place.bucket },
    },
  );
}
