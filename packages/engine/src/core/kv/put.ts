/** `kv.Put`: updates a KV entry, merging maps and patching JSON fields, keeping its expiration. */
import { defineTask, NonRetryableError, raw, z } from "@saker/sdk";
import { isMap } from "../../expression/values.ts";
import { deepMerge, nestDottedKeys } from "../maps.ts";

/** `[{key, value}, …]` or `[{value}]`: a list of entries rather than a plain list value. */
function isEntryList(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (item) => isMap(item) && "value" in item && Object.keys(item).every((k) => k === "key" || k === "value"),
    )
  );
}

function applyEntries(existing: unknown, entries: Record<string, unknown>[]): unknown {
  const keyed = entries.filter((e) => e.key !== undefined && e.key !== null);
  if (keyed.length < entries.length) {
    if (entries.length > 1) {
      throw new NonRetryableError(
        keyed.length > 0
          ? "Cannot mix keyed and non-keyed entries in `value`."
          : "`value` entries without `key` can only be used as a single replacement item.",
      );
    }
    return entries[0]!.value;
  }
  const updates: Record<string, unknown> = {};
  for (const { key, value } of keyed) {
    if (typeof key !== "string" || key.trim() === "")
      throw new NonRetryableError("Each keyed `value` entry must have a non-empty string `key`.");
    updates[key] = value;
  }
  const nested = nestDottedKeys(updates);
  if (existing === undefined || existing === null) return nested;
  if (!isMap(existing))
    throw new NonRetryableError("Cannot apply keyed `value` updates to a non-JSON existing KV value.");
  return deepMerge(existing, nested);
}

function merge(existing: unknown, value: unknown): unknown {
  if (isEntryList(value)) return applyEntries(existing, value);
  if (isMap(existing) && isMap(value)) return deepMerge(existing, value);
  return value;
}

export const KvPut = defineTask({
  type: "io.kestra.plugin.core.kv.Put",
  title: "Update a key-value entry",
  description:
    "Writes `value` under `key`: a map is merged deeply into an existing map; a list of `{key, value}` entries sets fields of an existing JSON value (dotted keys reach nested fields), a single `{value}` entry replaces the value. The entry keeps its expiration. With `errorOnMissing` a missing key fails the task, otherwise it is created.",
  examples: [
    {
      title: "Patch JSON fields",
      code: "id: update_json\ntype: io.kestra.plugin.core.kv.Put\nkey: my-json-key\nvalue:\n  - key: json-key-1\n    value: my new value\n  - key: nested.field\n    value: 123",
    },
  ],
  properties: z.object({
    key: z.string().describe("The key."),
    value: raw(z.unknown()).describe("The value, a map to merge, or a list of `{key, value}` entries."),
    namespace: z.string().optional().describe("The namespace of the store (default: the flow's namespace)."),
    errorOnMissing: z.boolean().default(false).describe("Fail when the key does not exist instead of creating it."),
  }),
  async run({ key, value, namespace, errorOnMissing }, ctx) {
    const ns = namespace ?? ctx.flow.namespace;
    const rendered = typeof value === "string" ? await ctx.renderTyped(value) : await ctx.renderValue(value);
    const store = ctx.kv(ns);
    const current = await store.get(key);
    if (!current && errorOnMissing)
      throw new NonRetryableError(
        `No value found for key '${key}' in namespace '${ns}' and \`errorOnMissing\` is set to true`,
      );
    const ttlMs = current?.expirationDate ? Math.max(1, Date.parse(current.expirationDate) - Date.now()) : undefined;
    await store.set(key, merge(current?.value, rendered), ttlMs !== undefined ? { ttlMs } : {});
    return {};
  },
});
