/**
 * The S3 side of the `saker migrate` tests: an S3-compatible server with a `target` bucket, a
 * storage reading that bucket (under `prefix`) to check what was copied, and the CLI's S3 options.
 */
import { S3Storage } from "@saker/engine";
import { startS3Server, type TestS3Server } from "@saker/engine/testing";

/** The CLI's environment: the child sets the SDK's warning switch itself (this process's S3 clients set it here). */
export const MIGRATE_ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "" };

export interface MigrateTarget {
  s3: TestS3Server;
  bucket: S3Storage;
  /** `--s3-endpoint`, `--s3-access-key` and `--s3-secret-key` of the server. */
  s3Args(): string[];
  close(): Promise<void>;
}

export async function startMigrateTarget(prefix?: string): Promise<MigrateTarget> {
  const s3 = await startS3Server(["target"]);
  const bucket = new S3Storage({
    bucket: "target",
    ...(prefix !== undefined ? { prefix } : {}),
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  return {
    s3,
    bucket,
    s3Args: () => [
      "--s3-endpoint",
      s3.endpoint,
      "--s3-access-key",
      s3.accessKeyId,
      "--s3-secret-key",
      s3.secretAccessKey,
    ],
    async close() {
      bucket.close();
      await s3.close();
    },
  };
}
