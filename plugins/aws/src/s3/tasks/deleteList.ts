/** DeleteList: every object a listing selects. */
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import type { S3Flavor } from "../flavor.ts";
import { listObjects, type ListRequest, type S3Object } from "../listing.ts";
import { listProperties } from "../properties.ts";
import { withS3, type S3Run } from "../s3Run.ts";
import { deleteObject } from "../transfers.ts";
import { taskExample } from "../examples.ts";

async function deleteAll(run: S3Run, bucket: string, objects: readonly S3Object[], concurrent: number) {
  let size = 0;
  for (let start = 0; start < objects.length; start += concurrent) {
    await Promise.all(
      objects.slice(start, start + concurrent).map(async (object) => {
        run.logger.debug("Deleting '{}'", object.key);
        await deleteObject(run, bucket, object.key);
        size += object.size ?? 0;
      }),
    );
  }
  return size;
}

export function deleteListTask(flavor: S3Flavor) {
  const { maxFiles: _ignored, ...listing } = listProperties(flavor) as ReturnType<typeof listProperties> & {
    maxFiles?: unknown;
  };
  return defineTask({
    type: `${flavor.prefix}.DeleteList`,
    title: `Delete the objects a listing selects from ${flavor.service}`,
    description: "Lists the bucket as List does (without `maxFiles`) and deletes every object listed.",
    examples: [
      {
        title: "Delete a folder",
        code: taskExample(flavor, "DeleteList", 'bucket: my-bucket\nprefix: "tmp/"\nerrorOnEmpty: false'),
      },
    ],
    properties: z.object({
      ...flavor.connection,
      ...listing,
      concurrent: z
        .number()
        .int()
        .min(2)
        .optional()
        .describe("How many deletions run at once (one at a time when unset)."),
      errorOnEmpty: z.boolean().default(false).describe("Fail when nothing matched."),
    }),
    outputs: z.object({
      count: z.number().describe("How many objects were deleted."),
      size: z.number().describe("Their total size in bytes."),
    }),
    async run(props, ctx) {
      return withS3(flavor, props, ctx, async (run) => {
        const objects = await listObjects(run, props as unknown as ListRequest);
        if (objects.length === 0 && props.errorOnEmpty)
          throw new NonRetryableError(
            `no object to delete in bucket '${props.bucket}' with regexp=${JSON.stringify(props.regexp ?? null)}, prefix=${JSON.stringify(props.prefix ?? null)}`,
          );
        const size = await deleteAll(run, props.bucket, objects, props.concurrent ?? 1);
        ctx.metric({ name: "s3.objects.deleted.count", type: "counter", value: objects.length });
        ctx.metric({ name: "s3.objects.deleted.size", type: "counter", value: size });
        ctx.logger.info("Deleted {} keys for {} bytes", objects.length, size);
        return { count: objects.length, size };
      });
    },
  });
}
