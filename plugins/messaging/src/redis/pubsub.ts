/** `io.kestra.plugin.redis.pubsub.Publish`: publishes values to a channel. */
import { defineTask, z } from "@saker/sdk";
import { readFrom } from "../core/index.ts";
import { redisUrlProperty, withRedis } from "./connection.ts";
import { encodeValue, redisSerdeType } from "./serde.ts";

export const Publish = defineTask({
  type: "io.kestra.plugin.redis.pubsub.Publish",
  aliases: ["io.kestra.plugin.redis.Publish"],
  title: "Publish values to a Redis channel",
  description:
    "Publishes each value of `from` (a list, or the `kestra://` URI of an Ion file with one value per line) to `channel`, serialized with `serdeType`.",
  examples: [
    {
      title: "Publish two JSON values",
      code: `id: publish\ntype: io.kestra.plugin.redis.pubsub.Publish\nurl: redis://localhost:6379/0\nchannel: mych\nfrom:\n  - '{"id": 1}'\n  - '{"id": 2}'\nserdeType: JSON`,
    },
  ],
  properties: z.object({
    url: redisUrlProperty,
    channel: z.string().min(1).describe("The channel to publish to."),
    from: z
      .union([z.string(), z.array(z.unknown())])
      .describe("The values: a list, or the `kestra://` URI of an Ion file with one value per line."),
    serdeType: redisSerdeType,
  }),
  outputs: z.object({ count: z.number().describe("How many values were published.") }),
  async run(props, ctx) {
    const count = await withRedis(props.url, ctx, async (client) => {
      let published = 0;
      for await (const value of readFrom(props.from, ctx.storage)) {
        ctx.signal.throwIfAborted();
        await client.publish(props.channel, encodeValue(value, props.serdeType, `value ${published + 1}`));
        published++;
      }
      return published;
    });
    ctx.metric({ name: "published.records.count", type: "counter", value: count });
    return { count };
  },
});
