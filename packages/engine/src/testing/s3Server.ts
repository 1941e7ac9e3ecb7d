/**
 * A real S3-compatible server (s3rver, files in a temporary folder) on loopback, for the tests of
 * the S3 storage backend and of the S3 plugins. It accepts only its own access key (S3RVER) but does not check signatures, so a wrong secret is not refused.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type S3rverServer from "s3rver";
import type { S3rverContext } from "s3rver";

export interface TestS3Server {
  /** `http://127.0.0.1:<port>`, for `endpoint` (path-style addressing). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** How many UploadPartCopy requests the server answered. */
  readonly partCopies: number;
  /** Every request received (method, path, headers), for checks of what a client sent. */
  readonly requests: { method: string; path: string; headers: Record<string, string | string[] | undefined> }[];
  close(): Promise<void>;
}

/** Starts the server on a free port, with `buckets` already created. */
export async function startS3Server(buckets: readonly string[] = []): Promise<TestS3Server> {
  const { default: S3rver } = await import("s3rver");
  const directory = mkdtempSync(join(tmpdir(), "saker-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  let partCopies = 0;
  const requests: TestS3Server["requests"] = [];
  server.middleware.unshift(async (ctx, next) => {
    requests.push({ method: ctx.method, path: ctx.path, headers: { ...ctx.headers } });
    const source = ctx.headers["x-amz-copy-source"];
    if (ctx.method !== "PUT" || typeof ctx.query.uploadId !== "string" || typeof source !== "string") return next();
    await uploadPartCopy(server, ctx, source);
    partCopies++;
  });
  const { port } = await server.run();
  return {
    get partCopies() {
      return partCopies;
    },
    requests,
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** UploadPartCopy on path-style addressing (`/bucket/key?partNumber=n&uploadId=…`). */
async function uploadPartCopy(server: S3rverServer, ctx: S3rverContext, source: string): Promise<void> {
  const bucket = decodeURIComponent(ctx.path.split("/")[1] ?? "");
  const from = decodeURIComponent(source.split("?")[0]!).replace(/^\//, "");
  const slash = from.indexOf("/");
  const range = /^bytes=(\d+)-(\d+)$/.exec(String(ctx.headers["x-amz-copy-source-range"] ?? ""));
  const object = await server.store.getObject(
    from.slice(0, slash),
    from.slice(slash + 1),
    range ? { start: Number(range[1]), end: Number(range[2]) } : undefined,
  );
  ctx.type = "application/xml";
  if (!object?.content) {
    ctx.status = 404;
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`;
    return;
  }
  const { md5 } = await server.store.putPart(
    bucket,
    String(ctx.query.uploadId),
    String(ctx.query.partNumber),
    object.content,
  );
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>"${md5}"</ETag></CopyPartResult>`;
}
