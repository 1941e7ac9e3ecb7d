/** `io.kestra.plugin.redis.string.*`: Get, Set, Delete, Increment and Ttl on string keys. */
import { NonRetryableError, defineTask, duration, z } from "@saker/sdk";
import { redisUrlProperty, withRedis } from "./connection.ts";
import { decodeValue, encodeValue, redisSerdeType } from "./serde.ts";

const keyProperty = z.string().min(1).describe("The key.");

/** An ISO-8601 date-time as epoch milliseconds, naming the property when it is not one. */
function epochMs(text: string, property: string): number {
  const ms = new Date(text).getTime();
  if (Number.isNaN(ms)) throw new NonRetryableError(`Redis: ${property} '${text}' is not an ISO-8601 date-time`);
  return ms;
}

export const Get = defineTask({
  type: "io.kestra.plugin.redis.string.Get",
  aliases: ["io.kestra.plugin.redis.Get"],
  title: "Read a Redis string value",
  description: "Reads a key (GET) and outputs its value, read with `serdeType`.",
  examples: [
    {
      title: "Read a JSON value",
      code: `id: get\ntype: io.kestra.plugin.redis.string.Get\nurl: redis://localhost:6379/0\nkey: mykey\nserdeType: JSON`,
    },
  ],
  properties: z.object({
    url: redisUrlProperty,
    key: keyProperty,
    serdeType: redisSerdeType,
    failedOnMissing: z.boolean().default(false).describe("Fail when the key does not exist."),
  }),
  outputs: z.object({
    data: z.unknown().optional().describe("The value (absent when the key does not exist)."),
    key: z.string().describe("The key read."),
  }),
  async run(props, ctx) {
    const text = await withRedis(props.url, ctx, (client) => client.get(props.key));
    if (text === null) {
      if (props.failedOnMissing) throw new NonRetryableError(`Redis: missing key '${props.key}'`);
      return { key: props.key };
    }
    return { data: decodeValue(text, props.serdeType, `the value of key '${props.key}'`), key: props.key };
  },
});

export const Set = defineTask({
  type: "io.kestra.plugin.redis.string.Set",
  aliases: ["io.kestra.plugin.redis.Set"],
  title: "Write a Redis string value",
  description:
    "Sets a key (SET) to `value` written with `serdeType`, with the expiration and existence `options` Redis offers; `get: true` outputs the value it replaced.",
  examples: [
    {
      title: "Set a JSON value for one hour",
      code: `id: set\ntype: io.kestra.plugin.redis.string.Set\nurl: redis://localhost:6379/0\nkey: mykey\nvalue:\n  name: saker\nserdeType: JSON\noptions:\n  expirationDuration: PT1H`,
    },
  ],
  properties: z.object({
    url: redisUrlProperty,
    key: keyProperty,
    value: z.unknown().describe("The value: text for STRING, any value (or JSON text) for JSON."),
    serdeType: redisSerdeType,
    get: z.boolean().default(false).describe("Output the value the key held before (SET … GET)."),
    options: z
      .object({
        expirationDuration: duration().optional().describe("Expire after this long."),
        expirationDate: z.string().optional().describe("Expire at this ISO-8601 date-time."),
        mustNotExist: z.boolean().default(false).describe("Set only when the key does not exist (NX)."),
        mustExist: z.boolean().default(false).describe("Set only when the key exists (XX)."),
        keepTtl: z.boolean().default(false).describe("Keep the key's time to live (KEEPTTL)."),
      })
      .prefault({})
      .describe("SET options."),
  }),
  outputs: z.object({ oldValue: z.string().optional().describe("The value before, with `get: true`.") }),
  async run(props, ctx) {
    if (props.value === undefined || props.value === null)
      throw new NonRetryableError(`Redis: Set of key '${props.key}' needs a value`);
    const { options } = props;
    if (options.keepTtl && (options.expirationDuration !== undefined || options.expirationDate !== undefined))
      throw new NonRetryableError(
        "Redis: options.keepTtl cannot be used with options.expirationDuration or options.expirationDate",
      );
    const args: (string | number)[] = [];
    if (options.expirationDuration !== undefined) args.push("PX", options.expirationDuration);
    if (options.expirationDate !== undefined)
      args.push("PXAT", epochMs(options.expirationDate, "options.expirationDate"));
    if (options.mustNotExist) args.push("NX");
    if (options.mustExist) args.push("XX");
    if (options.keepTtl) args.push("KEEPTTL");
    if (props.get) args.push("GET");
    const text = encodeValue(props.value, props.serdeType, `the value of key '${props.key}'`);
    const reply = await withRedis(props.url, ctx, (client) => client.call("SET", props.key, text, ...args));
    return props.get && typeof reply === "string" ? { oldValue: reply } : {};
  },
});

export const Delete = defineTask({
  type: "io.kestra.plugin.redis.string.Delete",
  aliases: ["io.kestra.plugin.redis.Delete"],
  title: "Delete Redis keys",
  description: "Deletes keys (DEL) and outputs how many existed.",
  examples: [
    {
      title: "Delete two keys",
      code: `id: delete\ntype: io.kestra.plugin.redis.string.Delete\nurl: redis://localhost:6379/0\nkeys:\n  - key1\n  - key2`,
    },
  ],
  properties: z.object({
    url: redisUrlProperty,
    keys: z.array(z.string().min(1)).min(1).describe("The keys to delete."),
    failedOnMissing: z.boolean().default(false).describe("Fail when some of the keys did not exist."),
  }),
  outputs: z.object({ count: z.number().describe("How many keys were deleted.") }),
  async run(props, ctx) {
    const count = await withRedis(props.url, ctx, (client) => client.del(...props.keys));
    ctx.metric({ name: "deleted.records.count", type: "counter", value: count });
    if (props.failedOnMissing && count < props.keys.length)
      throw new NonRetryableError(`Redis: missing keys, only ${count} of ${props.keys.length} deleted`);
    return { count };
  },
});

export const Increment = defineTask({
  type: "io.kestra.plugin.redis.string.Increment",
  title: "Increment a Redis number",
  description:
    "Adds `amount` (default 1) to a key's number: INCRBY for an integer, INCRBYFLOAT otherwise; `options` may set an expiration afterwards.",
  examples: [
    {
      title: "Count a visit",
      code: `id: incr\ntype: io.kestra.plugin.redis.string.Increment\nurl: redis://localhost:6379/0\nkey: visits`,
    },
  ],
  properties: z.object({
    url: redisUrlProperty,
    key: keyProperty,
    amount: z.number().optional().describe("How much to add (default 1)."),
    options: z
      .object({
        expirationDuration: duration().optional().describe("Expire after this long."),
        expirationDate: z.string().optional().describe("Expire at this ISO-8601 date-time."),
      })
      .optional()
      .describe("Expiration set after the increment."),
  }),
  outputs: z.object({ value: z.number().describe("The value after the increment."), key: z.string() }),
  async run(props, ctx) {
    const { options } = props;
    if (options?.expirationDuration !== undefined && options.expirationDate !== undefined)
      throw new NonRetryableError(
        "Redis: options.expirationDuration and options.expirationDate cannot be used together",
      );
    const value = await withRedis(props.url, ctx, async (client) => {
      const amount = props.amount ?? 1;
      const result = Number.isInteger(amount)
        ? await client.incrby(props.key, amount)
        : Number(await client.incrbyfloat(props.key, amount));
      if (options?.expirationDuration !== undefined && options.expirationDuration >= 1000)
        await client.expire(props.key, Math.floor(options.expirationDuration / 1000));
      if (options?.expirationDate !== undefined)
        await client.expireat(props.key, Math.floor(epochMs(options.expirationDate, "options.expirationDate") / 1000));
      return result;
    });
    return { value, key: props.key };
  },
});

export const Ttl = defineTask({
  type: "io.kestra.plugin.redis.string.Ttl",
  title: "Read a Redis key's time to live",
  description: "Outputs the seconds a key has left (TTL): -1 when it never expires, -2 when it does not exist.",
  examples: [
    {
      title: "Read a TTL",
      code: `id: ttl\ntype: io.kestra.plugin.redis.string.Ttl\nurl: redis://localhost:6379/0\nkey: mykey`,
    },
  ],
  properties: z.object({ url: redisUrlProperty, key: keyProperty }),
  outputs: z.object({ ttl: z.number(), key: z.string() }),
  async run(props, ctx) {
    const ttl = await withRedis(props.url, ctx, (client) => client.ttl(props.key));
    return { ttl, key: props.key };
  },
});
