/** Delete: one object. */
import { defineTask, z } from "@saker/sdk";
import type { S3Flavor } from "../flavor.ts";
import { bucket, requestPayer } from "../properties.ts";
import { withS3 } from "../s3Run.ts";
import { deleteObject } from "../transfers.ts";
import { taskExample } from "../examples.ts";

export function deleteTask(flavor: S3Flavor) {
  return defineTask({
    type: `${flavor.prefix}.Delete`,
    title: `Delete an object from ${flavor.service}`,
    description: "Deletes the object `key`. As S3 does, deleting a key that does not exist succeeds.",
    examples: [
      { title: "Delete a file", code: taskExample(flavor, "Delete", "bucket: my-bucket\nkey: path/to/file.csv") },
    ],
    properties: z.object({
      ...flavor.connection,
      bucket,
      key: z.string().min(1).describe("The object to delete."),
      bypassGovernanceRetention: z.boolean().optional().describe("Bypass Object Lock governance-mode retention."),
      mfa: z.string().optional().describe("The MFA device serial, a space and its code, for MFA delete."),
      requestPayer,
    }),
    outputs: z.object({
      bucket: z.string(),
      key: z.string(),
      versionId: z.string().optional().describe("The version id of the delete marker, on a versioned bucket."),
      deleteMarker: z.boolean().optional(),
      requestCharged: z.string().optional(),
    }),
    async run(props, ctx) {
      return withS3(flavor, props, ctx, async (run) => {
        const r = await deleteObject(run, props.bucket, props.key, props);
        return {
          bucket: props.bucket,
          key: props.key,
          ...(r.VersionId !== undefined ? { versionId: r.VersionId } : {}),
          ...(r.DeleteMarker !== undefined ? { deleteMarker: r.DeleteMarker } : {}),
          ...(r.RequestCharged !== undefined ? { requestCharged: r.RequestCharged } : {}),
        };
      });
    },
  });
}
