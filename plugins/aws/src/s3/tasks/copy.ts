/** Copy: one object to another bucket or key, server-side; optionally deleting the source (a move). */
import { defineTask, z } from "@saker/sdk";
import type { S3Flavor } from "../flavor.ts";
import { withS3 } from "../s3Run.ts";
import { copyObject, deleteObject } from "../transfers.ts";
import { taskExample } from "../examples.ts";

const copyTo = z.object({
  bucket: z.string().min(1).optional().describe("The destination bucket (default: the source's)."),
  key: z.string().min(1).optional().describe("The destination key (default: the source's)."),
  serverSideEncryption: z.string().optional().describe("Server-side encryption of the copy: AES256 or aws:kms."),
  kmsKeyId: z.string().optional().describe("The KMS key for aws:kms."),
});

export function copyTask(flavor: S3Flavor) {
  return defineTask({
    type: `${flavor.prefix}.Copy`,
    title: `Copy an object in ${flavor.service}`,
    description:
      "Copies `from` to `to` without downloading it (CopyObject up to 5 GB, a multipart copy past it); `delete: true` then deletes the source.",
    examples: [
      {
        title: "Move a file to an archive bucket",
        code: taskExample(
          flavor,
          "Copy",
          "from:\n  bucket: my-bucket\n  key: in/file.csv\nto:\n  bucket: my-archive\n  key: 2024/file.csv\ndelete: true",
        ),
      },
    ],
    properties: z.object({
      ...flavor.connection,
      from: z
        .object({
          bucket: z.string().min(1).describe("The source bucket."),
          key: z.string().min(1).describe("The source key."),
          versionId: z.string().optional().describe("A version of the source."),
        })
        .describe("The object to copy."),
      to: copyTo.optional().describe("Where to copy it."),
      delete: z.boolean().default(false).describe("Delete the source once copied."),
    }),
    outputs: z.object({
      bucket: z.string(),
      key: z.string(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
    }),
    async run(props, ctx) {
      const to = { bucket: props.to?.bucket ?? props.from.bucket, key: props.to?.key ?? props.from.key };
      return withS3(flavor, props, ctx, async (run) => {
        const copied = await copyObject(run, {
          from: props.from,
          to,
          serverSideEncryption: props.to?.serverSideEncryption,
          kmsKeyId: props.to?.kmsKeyId,
        });
        if (props.delete) await deleteObject(run, props.from.bucket, props.from.key);
        return { ...to, ...copied };
      });
    },
  });
}
