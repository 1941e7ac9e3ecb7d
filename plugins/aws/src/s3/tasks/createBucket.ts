/** CreateBucket. */
import type { BucketLocationConstraint, BucketCannedACL } from "@aws-sdk/client-s3";
import { defineTask, z } from "@saker/sdk";
import type { S3Flavor } from "../flavor.ts";
import { bucket } from "../properties.ts";
import { withS3 } from "../s3Run.ts";
import { taskExample } from "../examples.ts";

const text = (description: string) => z.string().optional().describe(description);

export function createBucketTask(flavor: S3Flavor) {
  return defineTask({
    type: `${flavor.prefix}.CreateBucket`,
    title: `Create a ${flavor.service} bucket`,
    description: "Creates the bucket; fails when it already exists.",
    examples: [{ title: "Create a bucket", code: taskExample(flavor, "CreateBucket", "bucket: my-new-bucket") }],
    properties: z.object({
      ...flavor.connection,
      bucket,
      grantFullControl: text("Grantees with full control of the bucket."),
      grantRead: text("Grantees that may list the objects."),
      grantReadACP: text("Grantees that may read the bucket ACL."),
      grantWrite: text("Grantees that may create, overwrite and delete objects."),
      grantWriteACP: text("Grantees that may write the bucket ACL."),
      acl: text("A canned ACL: private, public-read, public-read-write, authenticated-read."),
      objectLockEnabledForBucket: z.boolean().optional().describe("Enable Object Lock on the new bucket."),
    }),
    outputs: z.object({
      bucket: z.string(),
      region: z.string().optional().describe("The bucket location S3 returned, e.g. `/my-bucket`."),
    }),
    async run(props, ctx) {
      const region = flavor.settings(props).region;
      const { CreateBucketCommand } = await import("@aws-sdk/client-s3");
      return withS3(flavor, props, ctx, async (run) => {
        const response = await run.call({ operation: "CreateBucket", bucket: props.bucket }, (o) =>
          run.client.send(
            new CreateBucketCommand({
              Bucket: props.bucket,
              GrantFullControl: props.grantFullControl,
              GrantRead: props.grantRead,
              GrantReadACP: props.grantReadACP,
              GrantWrite: props.grantWrite,
              GrantWriteACP: props.grantWriteACP,
              ACL: props.acl as BucketCannedACL | undefined,
              ObjectLockEnabledForBucket: props.objectLockEnabledForBucket,
              // Outside us-east-1, AWS wants the region repeated as the location constraint.
              ...(region && region !== "us-east-1"
                ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }
                : {}),
            }),
            o,
          ),
        );
        return { bucket: props.bucket, ...(response.Location ? { region: response.Location } : {}) };
      });
    },
  });
}
