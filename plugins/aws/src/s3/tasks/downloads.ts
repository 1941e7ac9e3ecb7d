/** Downloads: every object a listing selects, into internal storage; then MOVE, DELETE or NONE. */
import { defineTask, z } from "@saker/sdk";
import { applyActions, checkAction, type ActionRequest } from "../actions.ts";
import type { S3Flavor } from "../flavor.ts";
import { listObjects, s3Object, type ListRequest, type S3Object } from "../listing.ts";
import { actionProperties, listProperties } from "../properties.ts";
import { withS3, type S3Run } from "../s3Run.ts";
import { downloadObject } from "../transfers.ts";
import { taskExample } from "../examples.ts";

/** Downloads each listed file (directories are skipped), returning the objects with their `uri`. */
export async function downloadListed(run: S3Run, bucket: string, objects: readonly S3Object[]): Promise<S3Object[]> {
  const downloaded: S3Object[] = [];
  for (const object of objects) {
    if (object.key.endsWith("/")) continue;
    const { uri } = await downloadObject(run, bucket, object.key);
    downloaded.push({ ...object, uri });
  }
  return downloaded;
}

export function downloadsTask(flavor: S3Flavor) {
  return defineTask({
    type: `${flavor.prefix}.Downloads`,
    title: `Download several objects from ${flavor.service}`,
    description:
      "Lists the bucket as List does, downloads every file into internal storage (streamed), then applies `action` to what was listed: MOVE to `moveTo`, DELETE, or NONE.",
    examples: [
      {
        title: "Download then archive",
        code: taskExample(
          flavor,
          "Downloads",
          'bucket: my-bucket\nprefix: "incoming/"\naction: MOVE\nmoveTo:\n  bucket: my-bucket\n  key: archive',
        ),
      },
    ],
    properties: z.object({ ...flavor.connection, ...listProperties(flavor), ...actionProperties(true) }),
    outputs: z.object({
      objects: z.array(s3Object).describe("The downloaded objects, each with its `uri`."),
      outputFiles: z.record(z.string(), z.string()).describe("Key → URI of each downloaded file."),
    }),
    async run(props, ctx) {
      const action: ActionRequest = { action: props.action, bucket: props.bucket, moveTo: props.moveTo };
      checkAction(action);
      return withS3(flavor, props, ctx, async (run) => {
        const listed = await listObjects(run, props as unknown as ListRequest);
        const objects = await downloadListed(run, props.bucket, listed);
        ctx.metric({ name: "files.count", type: "counter", value: objects.length });
        ctx.metric({
          name: "files.size.total",
          type: "counter",
          value: objects.reduce((n, o) => n + (o.size ?? 0), 0),
        });
        await applyActions(run, action, listed);
        return { objects, outputFiles: Object.fromEntries(objects.map((o) => [o.key, o.uri!])) };
      });
    },
  });
}
