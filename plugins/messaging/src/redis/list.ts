/**
 * `io.kestra.plugin.redis.list.ListPush`, `ListPop` and the polling `Trigger`: Kestra pushes to
 * the head of a list (LPUSH) and pops from the head (LPOP), so both ends are Kestra's.
 */
import { defineTask, defineTrigger, duration, z, type RunContext, type TriggerContext } from "@saker/sdk";
import {
  consumeLoop,
  maxDurationProperty,
  maxRecordsProperty,
  openIonRecordFile,
  readFrom,
  requireLimit,
  type BrokerContext,
} from "../core/index.ts";
import { redisUrlProperty, withRedis } from "./connection.ts";
import { decodeValue, encodeValue, redisSerdeType, type RedisSerde } from "./serde.ts";

export const ListPush = defineTask({
  type: "io.kestra.plugin.redis.list.ListPush",
  aliases: ["io.kestra.plugin.redis.ListPush"],
  title: "Push values to a Redis list",
  description:
    "Pushes values to the head of a list (LPUSH), `batchSize` values per command. `from` is a list, a JSON array as text, or the `kestra://` URI of an Ion file with one value per line.",
  examples: [
    {
      title: "Push two values",
      code: `id: push\ntype: io.kestra.plugin.redis.list.ListPush\nurl: redis://localhost:6379/0\nkey: mykey\nfrom:\n  - value1\n  - value2`,
    },
  ],
  properties: z.object({
    url: redisUrlProperty,
    key: z.string().min(1).describe("The list's key."),
    from: z
      .union([z.string(), z.array(z.unknown())])
      .describe("The values: a list, a JSON array as text, or the `kestra://` URI of an Ion file."),
    serdeType: redisSerdeType,
    batchSize: z.number().int().min(1).default(500).describe("How many values one LPUSH sends."),
  }),
  outputs: z.object({ count: z.number().describe("How many values were pushed.") }),
  async run(props, ctx) {
    const count = await withRedis(props.url, ctx, async (client) => {
      let pushed = 0;
      let batch: string[] = [];
      const flush = async () => {
        if (batch.length) await client.lpush(props.key, ...batch);
        pushed += batch.length;
        batch = [];
      };
      for await (const value of readFrom(props.from, ctx.storage, { parseJsonList: true })) {
        ctx.signal.throwIfAborted();
        batch.push(encodeValue(value, props.serdeType, `value ${pushed + batch.length + 1}`));
        if (batch.length >= props.batchSize) await flush();
      }
      await flush();
      return pushed;
    });
    ctx.metric({ name: "inserted.records.count", type: "counter", value: count });
    return { count };
  },
});

const popShape = {
  url: redisUrlProperty,
  key: z.string().min(1).describe("The list's key."),
  serdeType: redisSerdeType,
  maxRecords: maxRecordsProperty(),
  maxDuration: maxDurationProperty(),
  count: z.number().int().min(1).default(100).describe("How many values one LPOP takes."),
};

const popOutputs = z.object({
  count: z.number().describe("How many values were popped."),
  uri: z.string().describe("The Ion file of the values, one per line."),
});

interface PopProps {
  url: string;
  key: string;
  serdeType: RedisSerde;
  maxRecords?: number | undefined;
  maxDuration?: number | undefined;
  count: number;
}

/** Pops into an Ion file in storage; shared by the task and the polling trigger. */
async function pop(
  props: PopProps,
  ctx: BrokerContext & Pick<RunContext | TriggerContext, "storage" | "workingDir">,
  what: string,
): Promise<{ count: number; store: () => Promise<string>; discard: () => Promise<void> }> {
  requireLimit(props, what);
  const file = await openIonRecordFile(() => ctx.workingDir(), ctx.storage);
  try {
    const result = await withRedis(props.url, ctx, (client) =>
      consumeLoop({
        signal: ctx.signal,
        maxRecords: props.maxRecords,
        maxDuration: props.maxDuration,
        poll: async (remaining) => (await client.lpop(props.key, Math.min(props.count, remaining ?? Infinity))) ?? [],
        onRecord: (text, index) =>
          file.write(decodeValue(text, props.serdeType, `element ${index + 1} popped from list '${props.key}'`)),
      }),
    );
    return { count: result.count, store: () => file.store("values.ion"), discard: () => file.discard() };
  } catch (error) {
    await file.discard();
    throw error;
  }
}

export const ListPop = defineTask({
  type: "io.kestra.plugin.redis.list.ListPop",
  aliases: ["io.kestra.plugin.redis.ListPop"],
  title: "Pop values from a Redis list",
  description:
    "Pops values from the head of a list (LPOP, `count` at a time) into an Ion file in internal storage, until the list is empty, `maxRecords` values were taken or `maxDuration` passed (one of the two must be set).",
  examples: [
    {
      title: "Pop JSON values",
      code: `id: pop\ntype: io.kestra.plugin.redis.list.ListPop\nurl: redis://localhost:6379/0\nkey: mypopkeyjson\nserdeType: JSON\nmaxRecords: 1`,
    },
  ],
  properties: z.object(popShape),
  outputs: popOutputs,
  async run(props, ctx) {
    const { count, store } = await pop(props, ctx, "ListPop");
    ctx.metric({ name: "popped.records.count", type: "counter", value: count, tags: { key: props.key } });
    return { count, uri: await store() };
  },
});

export const Trigger = defineTrigger({
  type: "io.kestra.plugin.redis.list.Trigger",
  aliases: ["io.kestra.plugin.redis.TriggerList"],
  triggerKind: "polling",
  title: "Start an execution for each batch of values popped from a Redis list",
  description:
    "Every `interval`, pops like `ListPop`; when values came, starts one execution that sees `trigger.count` and `trigger.uri` (the Ion file of the values).",
  examples: [
    {
      title: "Process what was pushed, every minute",
      full: true,
      code: `id: list_batch\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ trigger.count }} values in {{ trigger.uri }}"\ntriggers:\n  - id: watch\n    type: io.kestra.plugin.redis.list.Trigger\n    url: redis://localhost:6379/0\n    key: mytriggerkey\n    maxRecords: 2`,
    },
  ],
  properties: z.object({ ...popShape, interval: duration().prefault("PT1M").describe("Time between two polls.") }),
  outputs: popOutputs,
  async evaluate(props, ctx) {
    const { count, store, discard } = await pop(props, ctx, "Trigger");
    ctx.logger.debug("Found '{}' data.", count);
    if (count === 0) {
      await discard();
      return undefined;
    }
    return { variables: { count, uri: await store() } };
  },
});
