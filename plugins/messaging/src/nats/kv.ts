/**
 * `io.kestra.plugin.nats.kv.*`: JetStream key-value buckets. `CreateBucket` makes one; `Put`
 * stores values as JSON; `Get` reads them back (by key, or at given revisions), leaving out keys
 * that are missing or deleted; `Delete` writes delete markers.
 */
import { NonRetryableError, defineTask, map, z, type RunContext } from "@saker/sdk";
import type { KV, KvOptions, NatsConnection } from "nats";
import { closeOnAbort, deserialize, stoppedError } from "../core/index.ts";
import { connectNats, natsConnectionShape, natsError, type NatsConnectionProps } from "./connection.ts";

const bucketNameProperty = z.string().min(1).describe("The bucket, which must exist.");

/** Runs `work` with a connection, closing it afterwards; client errors become task errors. */
async function withNats<T>(
  props: NatsConnectionProps,
  ctx: RunContext,
  work: (nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const nc = await connectNats(props, ctx);
  const dispose = closeOnAbort(ctx.signal, () => void nc.close().catch(() => {}));
  try {
    return await work(nc);
  } catch (error) {
    throw ctx.signal.aborted ? stoppedError("NATS") : natsError(error, props);
  } finally {
    dispose();
    await nc.close().catch(() => {});
  }
}

/** An existing bucket; a missing one fails, naming it. */
async function bucket(nc: NatsConnection, name: string): Promise<KV> {
  try {
    const kv = await nc.jetstream().views.kv(name, { bindOnly: true });
    await kv.status();
    return kv;
  } catch (error) {
    throw new NonRetryableError(`NATS: key-value bucket '${name}' cannot be opened: ${(error as Error).message}`);
  }
}

export const CreateBucket = defineTask({
  type: "io.kestra.plugin.nats.kv.CreateBucket",
  title: "Create a NATS key-value bucket",
  description: "Creates a JetStream key-value bucket (or opens it when it exists) and outputs its configuration.",
  examples: [
    {
      title: "A bucket keeping the last 3 revisions of each key",
      code: `id: bucket\ntype: io.kestra.plugin.nats.kv.CreateBucket\nurl: nats://localhost:4222\nname: settings\nhistoryPerKey: 3`,
    },
  ],
  properties: z.object({
    ...natsConnectionShape,
    name: z.string().min(1).describe("The bucket's name."),
    description: z.string().optional().describe("What the bucket is for."),
    metadata: map(z.string()).optional().describe("Metadata stored with the bucket."),
    historyPerKey: z.number().int().min(1).default(1).describe("Revisions kept per key."),
    bucketSize: z.number().int().optional().describe("The bucket's maximum size in bytes."),
    valueSize: z.number().int().optional().describe("The maximum size of one value in bytes."),
  }),
  outputs: z.object({
    bucket: z.string(),
    description: z.string().optional(),
    history: z.number(),
    entryCount: z.number(),
    bucketSize: z.number(),
    valueSize: z.number(),
    metadata: z.record(z.string(), z.string()).optional(),
  }),
  async run(props, ctx) {
    return withNats(props, ctx, async (nc) => {
      const options: Partial<KvOptions> = { history: props.historyPerKey };
      if (props.description !== undefined) options.description = props.description;
      if (props.metadata !== undefined) options.metadata = props.metadata;
      if (props.bucketSize !== undefined) options.max_bytes = props.bucketSize;
      if (props.valueSize !== undefined) options.maxValueSize = props.valueSize;
      const kv = await nc.jetstream().views.kv(props.name, options);
      const status = await kv.status();
      const config = status.streamInfo.config;
      const metadata = Object.fromEntries(
        Object.entries(config.metadata ?? {}).filter(([key]) => !key.startsWith("_nats.")),
      );
      return {
        bucket: status.bucket,
        ...(config.description ? { description: config.description } : {}),
        history: status.history,
        entryCount: status.values,
        bucketSize: Math.max(0, config.max_bytes),
        valueSize: Math.max(0, config.max_msg_size),
        ...(Object.keys(metadata).length ? { metadata } : {}),
      };
    });
  },
});

export const Put = defineTask({
  type: "io.kestra.plugin.nats.kv.Put",
  title: "Put values into a NATS key-value bucket",
  description: "Stores each value of `values` (as JSON) under its key; outputs the revision of each.",
  examples: [
    {
      title: "Store two settings",
      code: `id: put\ntype: io.kestra.plugin.nats.kv.Put\nurl: nats://localhost:4222\nbucketName: settings\nvalues:\n  mode: fast\n  limits:\n    max: 10`,
    },
  ],
  properties: z.object({
    ...natsConnectionShape,
    bucketName: bucketNameProperty,
    values: map(z.unknown()).describe("Key → value; each value is stored as JSON."),
  }),
  outputs: z.object({ revisions: z.record(z.string(), z.number()).describe("Key → the revision written.") }),
  async run(props, ctx) {
    return withNats(props, ctx, async (nc) => {
      const kv = await bucket(nc, props.bucketName);
      const revisions: Record<string, number> = {};
      for (const [key, value] of Object.entries(props.values))
        revisions[key] = await kv.put(key, JSON.stringify(value ?? null));
      return { revisions };
    });
  },
});

export const Get = defineTask({
  type: "io.kestra.plugin.nats.kv.Get",
  title: "Get values from a NATS key-value bucket",
  description:
    "Reads `keys` (their latest values), or `keyRevisions` (key → revision) when given, parsing each value as JSON; missing or deleted keys are left out.",
  examples: [
    {
      title: "Read two settings",
      code: `id: get\ntype: io.kestra.plugin.nats.kv.Get\nurl: nats://localhost:4222\nbucketName: settings\nkeys:\n  - mode\n  - limits`,
    },
  ],
  properties: z.object({
    ...natsConnectionShape,
    bucketName: bucketNameProperty,
    keys: z.array(z.string()).optional().describe("The keys to read (latest values)."),
    keyRevisions: map(z.number().int()).optional().describe("Key → revision to read; takes the place of `keys`."),
  }),
  outputs: z.object({ output: z.record(z.string(), z.unknown()).describe("Key → value.") }),
  async run(props, ctx) {
    if (!props.keys && !props.keyRevisions) throw new NonRetryableError("NATS: kv.Get needs `keys` or `keyRevisions`");
    return withNats(props, ctx, async (nc) => {
      const kv = await bucket(nc, props.bucketName);
      const wanted: [string, number | undefined][] = props.keyRevisions
        ? Object.entries(props.keyRevisions)
        : (props.keys ?? []).map((key) => [key, undefined]);
      const output: Record<string, unknown> = {};
      for (const [key, revision] of wanted) {
        const entry = await kv.get(key, revision === undefined ? undefined : { revision });
        if (!entry || entry.operation !== "PUT") continue;
        output[key] = deserialize(entry.value, "JSON", `the value of key '${key}' in bucket '${props.bucketName}'`);
      }
      return { output };
    });
  },
});

export const Delete = defineTask({
  type: "io.kestra.plugin.nats.kv.Delete",
  title: "Delete keys from a NATS key-value bucket",
  description: "Writes a delete marker for each key.",
  examples: [
    {
      title: "Delete a setting",
      code: `id: delete\ntype: io.kestra.plugin.nats.kv.Delete\nurl: nats://localhost:4222\nbucketName: settings\nkeys:\n  - mode`,
    },
  ],
  properties: z.object({
    ...natsConnectionShape,
    bucketName: bucketNameProperty,
    keys: z.array(z.string()).describe("The keys to delete."),
  }),
  outputs: z.object({ deletedCount: z.number().describe("How many keys were deleted.") }),
  async run(props, ctx) {
    return withNats(props, ctx, async (nc) => {
      const kv = await bucket(nc, props.bucketName);
      for (const key of props.keys) await kv.delete(key);
      return { deletedCount: props.keys.length };
    });
  },
});
