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
/** Values taken in one round trip when the list has some waiting. */
const TAKE_AT_ONCE = 20;

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

/**
 * Emits one value that sits in the processing list, then removes it from there. The removal is
 * sent without waiting for its reply (commands on a connection run in order), so the next value
 * is taken in the same round trip; the caller awaits the returned removal.
 */
async function handle(text: string, h: Handling): Promise<{ removal: Promise<unknown> }> {
  let value: unknown;
  try {
    value = decodeValue(text, h.serde, `a value of list '${h.key}'`);
  } catch (error) {
    // A value that can never be read would stop the listener at every restart: report it and drop it.
    h.ctx.logger.error("Dropping a value of list '{}': {}", h.key, errorMessage(error));
    return remove(text, h);
  }
  await h.emit({ variables: { value } });
  return remove(text, h);
}

/** Sends the removal of `text` from the processing list; its failure surfaces where it is awaited. */
function remove(text: string, h: Handling): { removal: Promise<unknown> } {
  const removal = h.client.lrem(h.processing, -1, text);
  removal.catch(() => {});
  return { removal };
}

/** Up to `max` values moved from the head of the list to the processing list, in one round trip. */
async function takeWaiting(h: Handling, max: number): Promise<string[]> {
  const pipeline = h.client.pipeline();
  for (let i = 0; i < max; i++) pipeline.lmove(h.key, h.processing, "LEFT", "LEFT");
  const replies = (await pipeline.exec()) ?? [];
  const taken: string[] = [];
  for (const [error, text] of replies) {
    if (error) throw error;
    if (typeof text === "string") taken.push(text);
  }
  return taken;
}

/** Puts values taken but not emitted (the listener is stopping) back at the head of the list, in order. */
async function handBack(h: Handling, texts: readonly string[]): Promise<void> {
  const transaction = h.client.multi();
  for (const text of [...texts].reverse()) transaction.lrem(h.processing, -1, text).lpush(h.key, text);
  await transaction.exec();
}

/** Emits `texts` in order; on a stop, hands back those not emitted yet. */
async function handleAll(texts: readonly string[], h: Handling): Promise<void> {
  const removals: Promise<unknown>[] = [];
  try {
    for (let i = 0; i < texts.length; i++) {
      if (h.ctx.signal.aborted) {
        await handBack(h, texts.slice(i));
        return;
      }
      removals.push((await handle(texts[i]!, h)).removal);
    }
  } finally {
    await Promise.all(removals);
  }
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
      await handleAll((await client.lrange(h.processing, 0, -1)).reverse(), h);
      while (!ctx.signal.aborted) {
        const waiting = await takeWaiting(h, TAKE_AT_ONCE);
        if (waiting.length > 0) {
          await handleAll(waiting, h);
          continue;
        }
        const text = await client.blmove(props.key, h.processing, "LEFT", "LEFT", BLOCK_SECONDS);
        if (text !== null) await handleAll([text], h);
      }
    } catch (error) {
      if (ctx.signal.aborted) return;
      throw redisError(error, props.url);
    } finally {
      client.disconnect();
    }
  },
});
