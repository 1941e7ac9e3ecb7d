/** `kv.PurgeKV`: deletes KV entries across namespaces, by default only the expired ones. */
import { defineTask, NonRetryableError, z, type KvEntry } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { filterByPattern, namespaceSelectionProperties, selectNamespaces } from "../purge/targets.ts";

const keyBehavior = z.object({
  type: z.literal("key"),
  expiredOnly: z.boolean().default(true).describe("Delete only the expired keys."),
});

const versionBehavior = z.object({
  type: z.literal("version"),
  before: z
    .string()
    .optional()
    .describe("Delete the versions updated up to this date; the last version of a key is always kept."),
  keepAmount: z.number().int().min(0).optional().describe("Keep this many of the most recent versions of each key."),
});

type Behavior = z.infer<typeof keyBehavior> | z.infer<typeof versionBehavior>;

/**
 * The entries a behaviour purges. Saker keeps one version per key (its current value), so the
 * `version` behaviour deletes a key only when it may delete every version of it: no `before`
 * (which always spares the last version) and no `keepAmount` above 0.
 */
function toPurge(entries: readonly KvEntry[], behavior: Behavior, now: Date): KvEntry[] {
  if (behavior.type === "key") {
    if (!behavior.expiredOnly) return [...entries];
    return entries.filter((e) => e.expirationDate !== undefined && Date.parse(e.expirationDate) < now.getTime());
  }
  if (behavior.before !== undefined) {
    if (Number.isNaN(Date.parse(behavior.before)))
      throw new NonRetryableError(`\`behavior.before\` is not a date: '${behavior.before}'`);
    return [];
  }
  return behavior.keepAmount ? [] : [...entries];
}

export const PurgeKV = defineTask({
  type: "io.kestra.plugin.core.kv.PurgeKV",
  title: "Purge keys from the KV store",
  description:
    "Deletes KV entries of the namespaces named in `namespaces` (with their child namespaces unless `includeChildNamespaces` is false) or matching `namespacePattern`, or of every namespace when neither is set; only keys matching `keyPattern` when it is set. By default (`behavior: {type: key, expiredOnly: true}`) only expired entries go. The deprecated `expiredOnly` overrides `behavior`.",
  examples: [
    {
      title: "Expired keys of a namespace and its children",
      code: "id: purge_kv\ntype: io.kestra.plugin.core.kv.PurgeKV\nexpiredOnly: true\nnamespaces:\n  - company\nincludeChildNamespaces: true",
    },
  ],
  properties: z.object({
    ...namespaceSelectionProperties,
    keyPattern: z.string().optional().describe("Only keys matching this glob (`*`, `?`), e.g. `AI_*`."),
    behavior: z
      .discriminatedUnion("type", [keyBehavior, versionBehavior])
      .default({ type: "key", expiredOnly: true })
      .describe("How keys are purged: `{type: key, expiredOnly}` or `{type: version, before, keepAmount}`."),
    expiredOnly: z
      .boolean()
      .optional()
      .describe("Deprecated: `behavior: {type: key, expiredOnly}`; overrides `behavior` when set."),
  }),
  outputs: z.object({ size: z.number().describe("The number of purged KV pairs.") }),
  async run(props, ctx) {
    const engine = engineOf(ctx);
    const behavior: Behavior =
      props.expiredOnly !== undefined ? { type: "key", expiredOnly: props.expiredOnly } : props.behavior;
    const namespaces = selectNamespaces(await engine.kv.namespaces(engine.tenantId), props);
    ctx.logger.info("purging {} namespaces: {}", namespaces.length, namespaces.join(", "));
    const now = new Date();
    let size = 0;
    for (const ns of namespaces) {
      const entries = filterByPattern(await engine.kv.listAll(engine.tenantId, ns), props.keyPattern, (e) => e.key);
      for (const entry of toPurge(entries, behavior, now))
        if (await engine.kv.delete(engine.tenantId, ns, entry.key)) size++;
    }
    ctx.logger.info("purged {} keys", size);
    return { size };
  },
});
