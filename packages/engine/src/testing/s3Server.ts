/**
 * A real S3-compatible server (s3rver, files in a temporary folder) on loopback, for the tests of
 * the S3 storage backend and of the S3 plugins. It accepts only its own access key (S3RVER) but does not check signatures, so a wrong secret is not refused.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestS3Server {
  /** `http://127.0.0.1:<port>`, for `endpoint` (path-style addressing). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
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
  const { port } = await server.run();
  return {
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
