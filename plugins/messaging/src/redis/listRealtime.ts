/**
 * `io.kestra.plugin.redis.list.RealtimeTrigger`: one execution per value popped from the head of
 * a list. Each value is moved atomically (BLMOVE) to a processing list of this trigger, and
 * removed from there only once its execution is stored (`emit` resolved). A listener that stops
 * in between (a crash, a restart) finds the value there when it starts again and emits it then,
 * so no value is lost; delivery is at least once (a stop between storage and removal emits it
 * again).
 */
import type { Redis } from "ioredis";
import { defineTrigger, errorMessage, z, type TriggerContext, type TriggerEvent } from "@saker/sdk";
import { connectRedis, redisError, redisUrlProperty } from "./connection.ts";
import { decodeValue, redisSerdeType, type RedisSerde } from "./serde.ts";

/** How long one BLMOVE waits before the listener looks at its signal again. */
const BLOCK_SECONDS = 1;

/** The processing list of one trigger on `key`. */
export function processingKey(key: string, ctx: Pick<TriggerContext, "flow" | "trigger">): string {
  return `${key}:saker-processing:${ctx.flow.namespace}/${ctx.flow.id}/${ctx.trigger.id}`;
}

interface Handling {
  client: Redis;
  key: string;
  processing: string;
  serde: RedisSerde;
  ctx: TriggerContext;
  emit: (event: TriggerEvent) => Promise<void>;
}

/** Emits one value that sits in the processing list, then removes it from there. */
async function handle(text: string, h: Handling): Promise<void> {
  let value: unknown;
  try {
    value = decodeValue(text, h.serde, `a value of list '${h.key}'`);
  } catch (error) {
    // A value that can never be read would stop the listener at every restart: report it and drop it.
    h.ctx.logger.error("Dropping a value of list '{}': {}", h.key, errorMessage(error));
    await h.client.lrem(h.processing, -1, text);
    return;
  }
  await h.emit({ variables: { value } });
  await h.client.lrem(h.processing, -1, text);
}

export const RealtimeTrigger = defineTrigger({
  type: "io.kestra.plugin.redis.list.RealtimeTrigger",
  aliases: ["io.kestra.plugin.redis.RealtimeTrigger"],
  triggerKind: "realtime",
  title: "Start an execution for each value pushed to a Redis list, as it arrives",
  description:
    "Pops values from the head of a list as they come and starts one execution per value, with `trigger.value`. A value leaves Redis only once its execution is stored: until then it waits in a processing list (`<key>:saker-processing:<namespace>/<flow>/<trigger>`), which a restarted listener empties first.",
  examples: [
    {
      title: "Log each value pushed to a list",
      full: true,
      code: `id: list_listen\nnamespace: company.team\ntasks:\n  - id: echo\n    type: io.kestra.plugin.core.log.Log\n    message: "Received '{{ trigger.value }}'"\ntriggers:\n  - id: watch\n    type: io.kestra.plugin.redis.list.RealtimeTrigger\n    url: redis://localhost:6379/0\n    key: mytriggerkey`,
    },
  ],
  properties: z.object({
    url: redisUrlProperty,
    key: z.string().min(1).describe("The list's key."),
    serdeType: redisSerdeType,
  }),
  outputs: z.object({ value: z.unknown().describe("The value, read with `serdeType`.") }),
  async listen(props, ctx, emit) {
    const client = await connectRedis(props.url, ctx);
    const h: Handling = {
      client,
      key: props.key,
      processing: processingKey(props.key, ctx),
      serde: props.serdeType,
      ctx,
      emit,
    };
    try {
      // Values a previous listener took but did not finish, oldest first.
      const unfinished = await client.lrange(h.processing, 0, -1);
      for (const text of unfinished.reverse()) {
        if (ctx.signal.aborted) return;
        await handle(text, h);
      }
      while (!ctx.signal.aborted) {
        const text = await client.blmove(props.key, h.processing, "LEFT", "LEFT", BLOCK_SECONDS);
        if (text !== null) await handle(text, h);
      }
    } catch (error) {
      if (ctx.signal.aborted) return;
      throw redisError(error, props.url);
    } finally {
      client.disconnect();
    }
  },
});
