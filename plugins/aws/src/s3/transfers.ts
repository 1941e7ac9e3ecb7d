/**
 * Object transfers, streamed both ways: a download pipes the response body into internal storage;
 * an upload reads the stored file as a stream and sends it in parts (lib-storage), so at most a
 * few parts are ever in memory.
 */
import type { Readable } from "node:stream";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
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

/** Uploads the stored file `from` to `bucket/key`. */
export async function uploadFile(
  run: S3Run,
  from: string,
  bucket: string,
  key: string,
  params: UploadParams,
): Promise<{ eTag?: string; versionId?: string; size: number }> {
  const target = { operation: "Upload", bucket, key };
  const size = await run.storage.size(from);
  const body = await run.storage.getFile(from);
  const upload = new Upload({
    client: run.client,
    params: { ...params, Bucket: bucket, Key: key, Body: body },
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

/** Copies an object server-side (objects up to 5 GB, S3's CopyObject limit). */
export async function copyObject(run: S3Run, request: CopyRequest): Promise<{ eTag?: string; versionId?: string }> {
  const { from, to } = request;
  const response = await run.call({ operation: "CopyObject", bucket: from.bucket, key: from.key }, (o) =>
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
