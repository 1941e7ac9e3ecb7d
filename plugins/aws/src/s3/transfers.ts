/**
 * Object transfers, streamed both ways: a download pipes the response body into internal storage;
 * an upload reads the stored file as a stream and sends it in parts (lib-storage), so at most a
 * few parts are ever in memory.
 */
import type { Readable } from "node:stream";
import type { GetObjectCommandOutput, HeadObjectCommandOutput, PutObjectCommandInput } from "@aws-sdk/client-s3";
import { checkChecksum, checksumField, checksumOf, type S3ChecksumAlgorithm } from "./checksums.ts";
import type { S3Run } from "./s3Run.ts";

/** Parts of 8 MiB, four in flight: at most 32 MiB buffered per upload. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;

export interface Downloaded {
  uri: string;
  response: Omit<GetObjectCommandOutput, "Body">;
}

/** The last segment of a key, as the stored file's name. */
export function baseName(key: string): string {
  return key.replace(/\/+$/, "").split("/").pop() || "object";
}

/** Downloads `bucket/key` into internal storage. */
export async function downloadObject(
  run: S3Run,
  bucket: string,
  key: string,
  extra: {
    versionId?: string | undefined;
    requestPayer?: string | undefined;
    expectedBucketOwner?: string | undefined;
  } = {},
): Promise<Downloaded> {
  const target = { operation: "GetObject", bucket, key };
  const { GetObjectCommand } = await import("@aws-sdk/client-s3");
  const response = await run.call(target, (o) =>
    run.client.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        VersionId: extra.versionId,
        RequestPayer: extra.requestPayer as "requester" | undefined,
        ExpectedBucketOwner: extra.expectedBucketOwner,
      }),
      o,
    ),
  );
  const { Body, ...rest } = response;
  const body = Body as Readable;
  const uri = await run.call(target, () => run.storage.putFile(body, baseName(key))).finally(() => body.destroy());
  if (rest.ContentLength !== undefined) run.metric({ name: "file.size", type: "counter", value: rest.ContentLength });
  return { uri, response: rest };
}

export type UploadParams = Omit<PutObjectCommandInput, "Body" | "Bucket" | "Key">;

/** Upload's `checksumAlgorithm`, and the `checksum` the file must have when one is given. */
export interface UploadChecksum {
  algorithm: S3ChecksumAlgorithm;
  expected?: string | undefined;
}

/**
 * The checksum parameters of an upload: the file is read once to compute its checksum (and check
 * it against the one given); a file sent in one request carries it, a multipart upload names the
 * algorithm and the SDK sends a checksum with each part.
 */
async function checksumParams(run: S3Run, from: string, size: number, checksum: UploadChecksum): Promise<UploadParams> {
  const source = await run.storage.getFile(from);
  let actual: string;
  try {
    actual = await checksumOf(source, checksum.algorithm);
  } finally {
    source.destroy();
  }
  checkChecksum(checksum.expected, actual, checksum.algorithm, `'${from}'`);
  return {
    ChecksumAlgorithm: checksum.algorithm,
    ...(size <= PART_SIZE ? { [checksumField(checksum.algorithm)]: actual } : {}),
  };
}

/** Uploads the stored file `from` to `bucket/key`. */
export async function uploadFile(
  run: S3Run,
  from: string,
  bucket: string,
  key: string,
  params: UploadParams,
  checksum?: UploadChecksum,
): Promise<{ eTag?: string; versionId?: string; size: number }> {
  const target = { operation: "Upload", bucket, key };
  const size = await run.storage.size(from);
  const sums = checksum ? await checksumParams(run, from, size, checksum) : {};
  const body = await run.storage.getFile(from);
  const { Upload } = await import("@aws-sdk/lib-storage");
  const upload = new Upload({
    client: run.client,
    params: { ...params, ...sums, Bucket: bucket, Key: key, Body: body },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false,
  });
  const stop = () => void upload.abort().catch(() => undefined);
  run.signal.addEventListener("abort", stop, { once: true });
  try {
    const done = await run.call(target, () => upload.done());
    return {
      ...(done.ETag !== undefined ? { eTag: done.ETag } : {}),
      ...(done.VersionId !== undefined ? { versionId: done.VersionId } : {}),
      size,
    };
  } finally {
    run.signal.removeEventListener("abort", stop);
    body.destroy();
  }
}

/** A key as CopySource wants it: each segment URL-encoded, slashes kept. */
function copySource(bucket: string, key: string, versionId?: string): string {
  const path = `${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
  return versionId ? `${path}?versionId=${encodeURIComponent(versionId)}` : path;
}

export interface CopyRequest {
  from: { bucket: string; key: string; versionId?: string | undefined };
  to: { bucket: string; key: string };
  serverSideEncryption?: string | undefined;
  kmsKeyId?: string | undefined;
}

/** A copy's source and destination, for the messages of its errors. */
function copyTarget({ from, to }: CopyRequest) {
  return { bucket: from.bucket, key: from.key, to: { bucket: to.bucket, key: to.key } };
}

/**
 * Where Copy switches from CopyObject (S3 refuses it past 5 GB) to a multipart upload of
 * UploadPartCopy parts, and the size of those parts; tests lower both to copy small objects in
 * parts.
 */
export const copyLimits = {
  multipartThreshold: 5 * 1024 ** 3,
  partSize: 512 * 1024 ** 2,
  /** Parts copied at the same time. */
  concurrency: 4,
};

/**
 * Copies an object server-side: with CopyObject up to `copyLimits.multipartThreshold` (S3's
 * 5 GB), past it as a multipart upload whose parts are copied from ranges of the source (the
 * content type, metadata and the other headers S3 keeps are carried over).
 */
export async function copyObject(run: S3Run, request: CopyRequest): Promise<{ eTag?: string; versionId?: string }> {
  const { from, to } = request;
  const { CopyObjectCommand, HeadObjectCommand } = await import("@aws-sdk/client-s3");
  const source = await run.call({ operation: "HeadObject", bucket: from.bucket, key: from.key }, (o) =>
    run.client.send(new HeadObjectCommand({ Bucket: from.bucket, Key: from.key, VersionId: from.versionId }), o),
  );
  const size = source.ContentLength ?? 0;
  if (size > copyLimits.multipartThreshold) return multipartCopy(run, request, source);
  const response = await run.call({ operation: "CopyObject", ...copyTarget(request) }, (o) =>
    run.client.send(
      new CopyObjectCommand({
        Bucket: to.bucket,
        Key: to.key,
        CopySource: copySource(from.bucket, from.key, from.versionId),
        ServerSideEncryption: request.serverSideEncryption as PutObjectCommandInput["ServerSideEncryption"],
        SSEKMSKeyId: request.kmsKeyId,
      }),
      o,
    ),
  );
  const eTag = response.CopyObjectResult?.ETag;
  return { ...(eTag ? { eTag } : {}), ...(response.VersionId ? { versionId: response.VersionId } : {}) };
}

async function multipartCopy(
  run: S3Run,
  request: CopyRequest,
  source: HeadObjectCommandOutput,
): Promise<{ eTag?: string; versionId?: string }> {
  const { from, to } = request;
  const size = source.ContentLength ?? 0;
  const target = { operation: "UploadPartCopy", ...copyTarget(request) };
  const {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CreateMultipartUploadCommand,
    UploadPartCopyCommand,
  } = await import("@aws-sdk/client-s3");
  const created = await run.call({ ...target, operation: "CreateMultipartUpload" }, (o) =>
    run.client.send(
      new CreateMultipartUploadCommand({
        Bucket: to.bucket,
        Key: to.key,
        ContentType: source.ContentType,
        ContentEncoding: source.ContentEncoding,
        ContentDisposition: source.ContentDisposition,
        ContentLanguage: source.ContentLanguage,
        CacheControl: source.CacheControl,
        Metadata: source.Metadata,
        ServerSideEncryption: request.serverSideEncryption as PutObjectCommandInput["ServerSideEncryption"],
        SSEKMSKeyId: request.kmsKeyId,
      }),
      o,
    ),
  );
  const uploadId = created.UploadId!;
  try {
    const count = Math.max(1, Math.ceil(size / copyLimits.partSize));
    const parts: { ETag: string; PartNumber: number }[] = new Array(count);
    let next = 0;
    const worker = async (stopped: () => boolean) => {
      while (!stopped() && next < count) {
        const index = next++;
        const start = index * copyLimits.partSize;
        const end = Math.min(size, start + copyLimits.partSize) - 1;
        const copied = await run.call(target, (o) =>
          run.client.send(
            new UploadPartCopyCommand({
              Bucket: to.bucket,
              Key: to.key,
              UploadId: uploadId,
              PartNumber: index + 1,
              CopySource: copySource(from.bucket, from.key, from.versionId),
              CopySourceRange: `bytes=${start}-${end}`,
              // The source must not change between the parts.
              CopySourceIfMatch: source.ETag,
            }),
            o,
          ),
        );
        parts[index] = { ETag: copied.CopyPartResult!.ETag!, PartNumber: index + 1 };
      }
    };
    let failed = false;
    const guarded = () =>
      worker(() => failed).catch((error: unknown) => {
        failed = true;
        throw error;
      });
    const settled = await Promise.allSettled(Array.from({ length: Math.min(copyLimits.concurrency, count) }, guarded));
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
    const done = await run.call({ ...target, operation: "CompleteMultipartUpload" }, (o) =>
      run.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: to.bucket,
          Key: to.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        o,
      ),
    );
    run.metric({ name: "parts", type: "counter", value: count });
    return { ...(done.ETag ? { eTag: done.ETag } : {}), ...(done.VersionId ? { versionId: done.VersionId } : {}) };
  } catch (error) {
    // Parts left behind are billed until the upload is aborted.
    await run.client
      .send(new AbortMultipartUploadCommand({ Bucket: to.bucket, Key: to.key, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
}

export async function deleteObject(
  run: S3Run,
  bucket: string,
  key: string,
  extra: {
    bypassGovernanceRetention?: boolean | undefined;
    mfa?: string | undefined;
    requestPayer?: string | undefined;
  } = {},
) {
  const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
  return run.call({ operation: "DeleteObject", bucket, key }, (o) =>
    run.client.send(
      new DeleteObjectCommand({
        Bucket: bucket,
        Key: key,
        BypassGovernanceRetention: extra.bypassGovernanceRetention,
        MFA: extra.mfa,
        RequestPayer: extra.requestPayer as "requester" | undefined,
      }),
      o,
    ),
  );
}
