/** The KV store tasks: Set, Get, GetKeys, Delete (`io.kestra.plugin.core.kv.*`). */
import { defineTask, duration, KV_TYPES, NonRetryableError, raw, z, type KvType, type RunContext } from "@saker/sdk";
import { isDataLimitError, parseJsonData } from "../../model/dataLimits.ts";

const namespace = z.string().optional().describe("The namespace of the store (default: the flow's namespace).");

function storeOf(ctx: RunContext, ns: string | undefined) {
  return ctx.kv(ns ?? ctx.flow.namespace);
}

/** A text value converted to the declared KV type, as Kestra does. */
function convert(value: unknown, type: KvType | undefined): unknown {
  if (typeof value !== "string" || !type) return value;
  switch (type) {
    case "NUMBER": {
      const n = Number(value);
      if (Number.isNaN(n)) throw new NonRetryableError(`'${value}' is not a NUMBER`);
      return n;
    }
    case "BOOLEAN":
      return value.trim().toLowerCase() === "true";
    case "JSON":
      try {
        return parseJsonData(value, "the KV value");
      } catch (error) {
        if (isDataLimitError(error)) throw error;
        throw new NonRetryableError(`'${value}' is not JSON`);
      }
    default:
      return value;
  }
}

export const KvSet = defineTask({
  type: "io.kestra.plugin.core.kv.Set",
  title: "Set a key-value pair",
  description:
    "Stores a value under a key in the namespace's KV store. A single-expression value keeps its type (`{{ [1, 2] }}` stores a list).",
  properties: z.object({
    key: z.string().describe("The key."),
    value: raw(z.unknown()).describe("The value; rendered, keeping its type for a single expression."),
    namespace,
    overwrite: z.boolean().default(true).describe("Replace an existing value; false fails when the key exists."),
    ttl: duration().optional().describe("Time to live (ISO-8601 duration)."),
    kvType: z.enum(KV_TYPES).optional().describe("The type of the value; by default inferred from it."),
  }),
  async run({ key, value, namespace: ns, overwrite, ttl, kvType }, ctx) {
    const rendered = typeof value === "string" ? await ctx.renderTyped(value) : await ctx.renderValue(value);
    await storeOf(ctx, ns).set(key, convert(rendered, kvType), {
      overwrite,
      ...(ttl !== undefined ? { ttlMs: ttl } : {}),
      ...(kvType ? { type: kvType } : {}),
    });
    return {};
  },
});

export const KvGet = defineTask({
  type: "io.kestra.plugin.core.kv.Get",
  title: "Get a value from the KV store",
  properties: z.object({
    key: z.string().describe("The key."),
    namespace,
    errorOnMissing: z.boolean().default(false).describe("Fail when the key does not exist."),
  }),
  outputs: z.object({ value: z.unknown().describe("The value, or null.") }),
  async run({ key, namespace: ns, errorOnMissing }, ctx) {
    const entry = await storeOf(ctx, ns).get(key);
    if (!entry && errorOnMissing)
      throw new NonRetryableError(
        `No value found for key '${key}' in namespace '${ns ?? ctx.flow.namespace}' and \`errorOnMissing\` is set to true`,
      );
    return { value: entry?.value ?? null };
  },
});

export const KvGetKeys = defineTask({
  type: "io.kestra.plugin.core.kv.GetKeys",
  title: "List the keys of the KV store",
  properties: z.object({ prefix: z.string().optional().describe("Only keys starting with this."), namespace }),
  outputs: z.object({ keys: z.array(z.string()) }),
  async run({ prefix, namespace: ns }, ctx) {
    return { keys: (await storeOf(ctx, ns).list(prefix)).map((e) => e.key) };
  },
});

export const KvDelete = defineTask({
  type: "io.kestra.plugin.core.kv.Delete",
  title: "Delete a key from the KV store",
  properties: z.object({
    key: z.string().describe("The key."),
    namespace,
    errorOnMissing: z.boolean().default(false).describe("Fail when the key does not exist."),
  }),
  outputs: z.object({ deleted: z.boolean() }),
  async run({ key, namespace: ns, errorOnMissing }, ctx) {
    const deleted = await storeOf(ctx, ns).delete(key);
    if (!deleted && errorOnMissing)
      throw new NonRetryableError(
        `No value found for key '${key}' in namespace '${ns ?? ctx.flow.namespace}' and \`errorOnMissing\` is set to true`,
      );
    return { deleted };
  },
});
