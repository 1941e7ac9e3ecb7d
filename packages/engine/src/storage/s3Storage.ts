/**
 * Internal storage in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, GCS interop…): the same
 * `kestra://` layout as the local folder, each path a key under `prefix`. Bodies stream both ways:
 * a write goes up in parts (memory bounded by `partSize × (queueSize + 1)`, whatever the file's
 * size), a read is the response body itself. A PUT replaces an object whole, so a reader never
 * sees half a file.
 */
import { Readable } from "node:stream";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { SakerError, type FileSource } from "@saker/sdk";
import { toReadable } from "./localStorage.ts";
import { toStoragePath, toUri } from "./paths.ts";
import { isNotFound, s3Error, type S3Place } from "./s3Errors.ts";
import type { Storage } from "./storage.ts";

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StorageOptions {
  bucket: string;
  /** Folder of the bucket every storage path goes under (`saker/prod`); empty: the bucket's root. */
  prefix?: string;
  /** Default `us-east-1` (what S3-compatible servers expect when they ignore regions). */
  region?: string;
  /** An S3-compatible server (`http://minio:9000`); none: AWS S3. */
  endpoint?: string;
  /** Path-style addressing (`endpoint/bucket/key`); default: true when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Fixed keys or a provider; none: the AWS SDK's default chain (environment, profile, instance role). */
  credentials?: S3Credentials | (() => Promise<S3Credentials>);
  /** Bytes of each uploaded part (at least 5 MiB, S3's minimum). */
  partSize?: number;
  /** Parts uploaded at the same time by one write. */
  queueSize?: number;
  /** Milliseconds to open a connection before the attempt fails (then retried, up to 3 attempts). */
  connectionTimeoutMs?: number;
  /** Milliseconds a request may take until its answer starts (then retried, up to 3 attempts). */
  requestTimeoutMs?: number;
}

const MIB = 1024 * 1024;
/** One DeleteObjects request takes at most this many keys. */
const DELETE_BATCH = 1000;

/** The folder prefix of keys: no leading or trailing `/`, no `.` or `..` segment. */
export function normalizeKeyPrefix(prefix: string | undefined): string {
  const parts = (prefix ?? "").split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes(".."))
    throw new SakerError("STORAGE_PATH_INVALID", `The storage prefix '${prefix}' may not hold '..'`);
  return parts.join("/");
}

type AwsS3 = typeof import("@aws-sdk/client-s3");

export class S3Storage implements Storage {
  readonly bucket: string;
  /** `prefix/`, or empty: prepended to a storage path (without its leading `/`) to make a key. */
  private readonly keyPrefix: string;
  private readonly clientConfig: S3ClientConfig;
  private connecting: Promise<{ client: S3Client; sdk: AwsS3 }> | undefined;
  private connected: S3Client | undefined;
  private closed = false;
  private readonly place: S3Place;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    const prefix = normalizeKeyPrefix(options.prefix);
    this.keyPrefix = prefix === "" ? "" : `${prefix}/`;
    this.place = { bucket: options.bucket, endpoint: options.endpoint };
    this.partSize = Math.max(5 * MIB, options.partSize ?? 5 * MIB);
    this.queueSize = Math.max(1, options.queueSize ?? 2);
    silenceNodeVersionWarning();
    this.clientConfig = {
      region: options.region ?? "us-east-1",
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // Checksums only where S3 requires them: many S3-compatible servers refuse the newer trailers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 3,
      // A server that accepts a connection and never answers fails the attempt too (never a hang).
      requestHandler: {
        connectionTimeout: options.connectionTimeoutMs ?? 5000,
        requestTimeout: options.requestTimeoutMs ?? 120_000,
        throwOnRequestTimeout: true,
      },
    };
  }

  /**
   * The client and the SDK's commands, loaded and made on first use. A load that fails (the
   * import, out of file handles say) is not kept: the next call tries again.
   */
  private s3(): Promise<{ client: S3Client; sdk: AwsS3 }> {
    return (this.connecting ??= import("@aws-sdk/client-s3").then(
      (sdk) => {
        const client = new sdk.S3Client(this.clientConfig);
        if (this.closed) client.destroy();
        this.connected = client;
        return { client, sdk };
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    ));
  }

  /** The key of a storage path (throws STORAGE_PATH_INVALID for `..` and the like, as the local storage). */
  private key(path: string): string {
    return this.keyPrefix + toStoragePath(path).slice(1);
  }

  /**
   * The storage path of a key under the prefix, as a folder walk would give it; undefined for a
   * key no storage path maps to (a folder marker `a/`, empty, `.` or `..` segments, a backslash).
   */
  private pathOf(key: string): string | undefined {
    if (!key.startsWith(this.keyPrefix)) return undefined;
    const parts = key.slice(this.keyPrefix.length).split("/");
    if (parts.some((part) => part === "" || part === "." || part === ".." || /[\\\0]/.test(part))) return undefined;
    return `/${parts.join("/")}`;
  }

  /**
   * Checks that the bucket is there and the credentials may list it: a listing under the prefix
   * (not HeadBucket, so a policy granting only the prefix passes) of a name no file has, so the
   * answer is empty and cheap (and no page is truncated: some S3-compatible servers fail those).
   */
  async verify(): Promise<void> {
    try {
      const { client, sdk } = await this.s3();
      await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.keyPrefix}.saker-check/` }),
      );
    } catch (error) {
      throw s3Error(error, this.place, "checking the bucket", true);
    }
  }

  async put(path: string, source: FileSource): Promise<number> {
    const key = this.key(path);
    let size = 0;
    let sourceError: unknown;
    const counter = async function* (input: AsyncIterable<Buffer | Uint8Array | string>) {
      try {
        for await (const chunk of input) {
          const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
          size += buffer.length;
          yield buffer;
        }
      } catch (error) {
        sourceError = error;
        throw error;
      }
    };
    const body = Readable.from(counter(await toReadable(source)), { objectMode: false });
    const { Upload } = await import("@aws-sdk/lib-storage");
    const upload = new Upload({
      client: (await this.s3()).client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      // A failing source is the cause, whatever the server then said about the aborted upload.
      if (sourceError !== undefined) throw sourceError;
      throw s3Error(error, this.place, `writing '${toUri(path)}'`);
    }
    return size;
  }

  async get(path: string): Promise<Readable> {
    const key = this.key(path);
    try {
      const { client, sdk } = await this.s3();
      const object = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return object.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw notFound(path);
      throw s3Error(error, this.place, `reading '${toUri(path)}'`);
    }
  }

  /** The object's size, or undefined when there is none (or the path is not a storage path). */
  private async head(path: string): Promise<number | undefined> {
    let key: string;
    try {
      key = this.key(path);
    } catch {
      return undefined;
    }
    try {
      const { client, sdk } = await this.s3();
      const head = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw s3Error(error, this.place, `looking up '${toUri(path)}'`);
    }
  }

  async exists(path: string): Promise<boolean> {
    return (await this.head(path)) !== undefined;
  }

  async size(path: string): Promise<number> {
    const size = await this.head(path);
    if (size === undefined) throw notFound(path);
    return size;
  }

  async delete(path: string): Promise<boolean> {
    if ((await this.head(path)) === undefined) return false;
    try {
      const { client, sdk } = await this.s3();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return true;
    } catch (error) {
      throw s3Error(error, this.place, `deleting '${toUri(path)}'`);
    }
  }

  /** Every file under a storage prefix with its size, page by page. */
  async *objects(prefix: string): AsyncGenerator<{ path: string; key: string; size: number }> {
    const base = this.key(prefix);
    const listed = base === "" || base.endsWith("/") ? base : `${base}/`;
    let token: string | undefined;
    const { client, sdk } = await this.s3();
    do {
      let page;
      try {
        page = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: listed,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (error) {
        throw s3Error(error, this.place, `listing '${toUri(prefix)}'`, true);
      }
      for (const object of page.Contents ?? []) {
        const path = object.Key === undefined ? undefined : this.pathOf(object.Key);
        if (path !== undefined) yield { path, key: object.Key!, size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Storage path → size of every file under a prefix (one listing, no request per file). */
  async sizes(prefix: string): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    for await (const object of this.objects(prefix)) sizes.set(object.path, object.size);
    return sizes;
  }

  async list(prefix: string): Promise<string[]> {
    return [...(await this.sizes(prefix)).keys()].sort();
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys: string[] = [];
    for await (const object of this.objects(prefix)) keys.push(object.key);
    const { client, sdk } = await this.s3();
    for (let at = 0; at < keys.length; at += DELETE_BATCH) {
      const batch = keys.slice(at, at + DELETE_BATCH);
      let result;
      try {
        result = await client.send(
          new sdk.DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (error) {
        throw s3Error(error, this.place, `deleting '${toUri(prefix)}'`);
      }
      const failed = result.Errors ?? [];
      if (failed.length > 0)
        throw new SakerError(
          "STORAGE_FAILED",
          `The S3 storage kept ${failed.length} file(s) of '${toUri(prefix)}' in bucket '${this.bucket}': ${failed[0]!.Code ?? "error"} ${failed[0]!.Message ?? ""}`.trim(),
        );
    }
    return keys.length;
  }

  close(): void {
    this.closed = true;
    this.connected?.destroy();
  }
}

function notFound(path: string): SakerError {
  let uri: string;
  try {
    uri = toUri(path);
  } catch {
    uri = path;
  }
  return new SakerError("FILE_NOT_FOUND", `Unable to find file at uri '${uri}'`);
}

/**
 * The AWS SDK warns on every Node version it will stop supporting (a NodeVersionSupportWarning on
 * Node 20): noise for people running Saker, who chose their Node. The SDK's own switch turns it
 * off, unless the user set it (to `false`, say).
 */
function silenceNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ||= "true";
}
