/** Download: one object (or, with prefix/delimiter/regexp, the objects a listing selects) into internal storage. */
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import type { S3Flavor } from "../flavor.ts";
import { listObjects } from "../listing.ts";
import { bucket, expectedBucketOwner, requestPayer } from "../properties.ts";
import { withS3, type S3Run } from "../s3Run.ts";
import { downloadObject, type Downloaded } from "../transfers.ts";
import { taskExample } from "../examples.ts";

const fileInfo = z.object({
  uri: z.string().describe("The file on internal storage."),
  contentLength: z.number().optional().describe("Its size in bytes."),
  contentType: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional().describe("The object's user metadata."),
  eTag: z.string().optional(),
  versionId: z.string().optional(),
});

function infoOf(d: Downloaded): z.infer<typeof fileInfo> {
  const r = d.response;
  return {
    uri: d.uri,
    ...(r.ContentLength !== undefined ? { contentLength: r.ContentLength } : {}),
    ...(r.ContentType !== undefined ? { contentType: r.ContentType } : {}),
    metadata: r.Metadata ?? {},
    ...(r.ETag !== undefined ? { eTag: r.ETag } : {}),
    ...(r.VersionId !== undefined ? { versionId: r.VersionId } : {}),
  };
}

interface DownloadProps {
  bucket: string;
  key?: string | undefined;
  versionId?: string | undefined;
  prefix?: string | undefined;
  delimiter?: string | undefined;
  marker?: string | undefined;
  regexp?: string | undefined;
  maxKeys: number;
  maxFiles: number;
  requestPayer?: string | undefined;
  expectedBucketOwner?: string | undefined;
}

async function downloadMany(run: S3Run, p: DownloadProps) {
  const objects = await listObjects(run, { ...p, filter: "FILES" });
  if (objects.length === 0) run.logger.warn("No object of bucket '{}' matches the filters", p.bucket);
  const files: Record<string, z.infer<typeof fileInfo>> = {};
  for (const object of objects) files[object.key] = infoOf(await downloadObject(run, p.bucket, object.key, p));
  return { files };
}

export function downloadTask(flavor: S3Flavor) {
  const multi = flavor.kind === "aws";
  return defineTask({
    type: `${flavor.prefix}.Download`,
    title: `Download an object from ${flavor.service}`,
    description: multi
      ? "Downloads the object `key` into internal storage, streamed. With `prefix`, `delimiter` or `regexp` instead, downloads every file the listing selects (at most `maxFiles`) and returns them in `files`."
      : "Downloads the object `key` into internal storage, streamed.",
    examples: [
      { title: "Download a file", code: taskExample(flavor, "Download", "bucket: my-bucket\nkey: path/to/file.csv") },
    ],
    properties: z.object({
      ...flavor.connection,
      bucket,
      key: multi
        ? z.string().optional().describe("The object to download.")
        : z.string().min(1).describe("The object to download."),
      versionId: z.string().optional().describe("A version of the object."),
      requestPayer,
      expectedBucketOwner,
      ...(multi
        ? {
            prefix: z.string().optional().describe("Download every file under this prefix (instead of `key`)."),
            delimiter: z.string().optional().describe("Groups keys up to this character (several-file mode)."),
            marker: z.string().optional().describe("List keys after this one (several-file mode)."),
            regexp: z.string().optional().describe("Download every file whose key matches (several-file mode)."),
            maxKeys: z.number().int().positive().default(1000).describe("The most keys listed (several-file mode)."),
            maxFiles: z
              .number()
              .int()
              .positive()
              .default(25)
              .describe("The most files downloaded (several-file mode)."),
          }
        : {}),
    }),
    outputs: fileInfo.partial({ uri: true }).extend({
      files: z.record(z.string(), fileInfo).optional().describe("Key → downloaded file, in several-file mode."),
    }),
    async run(props, ctx) {
      const p = props as unknown as DownloadProps;
      const many = p.prefix !== undefined || p.delimiter !== undefined || p.regexp !== undefined;
      if (!many && !p.key)
        throw new NonRetryableError("give key (one object) or prefix, delimiter or regexp (several)", { path: "key" });
      return withS3(flavor, props, ctx, async (run) =>
        many ? downloadMany(run, p) : infoOf(await downloadObject(run, p.bucket, p.key!, p)),
      );
    },
  });
}
