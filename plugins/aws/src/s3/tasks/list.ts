/** List: the objects of a bucket a listing selects. */
import { defineTask, z } from "@saker/sdk";
import type { S3Flavor } from "../flavor.ts";
import { listObjects, s3Object, type ListRequest } from "../listing.ts";
import { listProperties } from "../properties.ts";
import { withS3 } from "../s3Run.ts";
import { taskExample } from "../examples.ts";

export function listTask(flavor: S3Flavor) {
  return defineTask({
    type: `${flavor.prefix}.List`,
    title: `List objects of a ${flavor.service} bucket`,
    description:
      "Lists keys (page after page, up to `maxKeys`), keeps those `regexp` matches as a whole and `filter` selects" +
      (flavor.kind === "aws" ? ", at most `maxFiles` of them." : "."),
    examples: [
      {
        title: "The CSV files under a prefix",
        code: taskExample(flavor, "List", 'bucket: my-bucket\nprefix: "sub-dir/"\nregexp: ".*\\\\.csv"\nfilter: FILES'),
      },
    ],
    properties: z.object({ ...flavor.connection, ...listProperties(flavor) }),
    outputs: z.object({ objects: z.array(s3Object).describe("The objects listed.") }),
    async run(props, ctx) {
      return withS3(flavor, props, ctx, async (run) => {
        const objects = await listObjects(run, props as unknown as ListRequest);
        ctx.metric({ name: "s3.objects.count", type: "counter", value: objects.length });
        ctx.logger.debug("Found {} keys in bucket '{}'", objects.length, props.bucket);
        return { objects };
      });
    },
  });
}
