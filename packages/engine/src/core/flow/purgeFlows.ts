/** `flow.PurgeFlows`: deletes old revisions of flows, always keeping the latest one. */
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import type { StoredFlow } from "../../backend/records.ts";
import { engineOf } from "../../plugins/engineServices.ts";
import { filterByPattern, namespaceSelectionProperties, selectNamespaces } from "../purge/targets.ts";

const versionBehavior = z.object({
  type: z.literal("version").default("version"),
  before: z.string().optional().describe("Delete the revisions updated up to this instant (ISO-8601)."),
  keepAmount: z.number().int().min(1).optional().describe("Keep this many of the most recent revisions of each flow."),
});

type Behavior = z.infer<typeof versionBehavior>;

/** The revisions of one flow the behaviour purges; the latest is never among them. */
function revisionsToPurge(revisions: readonly StoredFlow[], behavior: Behavior): number[] {
  if (revisions.length <= 1) return [];
  const latest = Math.max(...revisions.map((r) => r.revision));
  const newestFirst = [...revisions].sort((a, b) => b.revision - a.revision);
  if (behavior.keepAmount !== undefined) return newestFirst.slice(behavior.keepAmount).map((r) => r.revision);
  const old = newestFirst.filter((r) => r.revision !== latest);
  if (behavior.before === undefined) return old.map((r) => r.revision);
  const before = Date.parse(behavior.before);
  return old.filter((r) => Date.parse(r.updated) <= before).map((r) => r.revision);
}

export const PurgeFlows = defineTask({
  type: "io.kestra.plugin.core.flow.PurgeFlows",
  title: "Purge old flow revisions",
  description:
    "Deletes old revisions of the flows of the namespaces named in `namespaces` (with their child namespaces unless `includeChildNamespaces` is false) or matching `namespacePattern`, or of every namespace; only flows whose id matches `flowPattern` when it is set. The older form `namespace` (a namespace and those below it) with `flowId` (one flow) is accepted too. `behavior` keeps `keepAmount` revisions (1 by default) or deletes those updated up to `before`. The latest revision of a flow is always kept, and so is any revision an execution still running uses.",
  examples: [
    {
      title: "Keep two revisions per flow of a namespace tree",
      code: "id: purge_flows\ntype: io.kestra.plugin.core.flow.PurgeFlows\nnamespaces:\n  - company\nbehavior:\n  type: version\n  keepAmount: 2",
    },
  ],
  properties: z.object({
    ...namespaceSelectionProperties,
    flowPattern: z.string().optional().describe("Only flows whose id matches this glob (`*`, `?`)."),
    namespace: z
      .string()
      .optional()
      .describe("Older form: a namespace and those below it, or the namespace of `flowId`."),
    flowId: z.string().optional().describe("Older form: one flow of `namespace`."),
    behavior: versionBehavior
      .default({ type: "version", keepAmount: 1 })
      .describe("Which revisions go: `{type: version, keepAmount}` or `{type: version, before}`."),
  }),
  outputs: z.object({ size: z.number().describe("The number of purged flow revisions.") }),
  async run(props, ctx) {
    const engine = engineOf(ctx);
    if (props.flowId !== undefined && props.namespace === undefined)
      throw new NonRetryableError("`flowId` needs the `namespace` of the flow");
    if (props.behavior.before !== undefined && props.behavior.keepAmount !== undefined)
      throw new NonRetryableError("Cannot set both 'before' and 'keepAmount' properties");
    if (props.behavior.before !== undefined && Number.isNaN(Date.parse(props.behavior.before)))
      throw new NonRetryableError(`\`behavior.before\` is not an instant: '${props.behavior.before}'`);
    const heads = await engine.flows.heads();
    let selected =
      props.namespace !== undefined
        ? heads.filter(
            (f) =>
              f.namespace === props.namespace ||
              (props.flowId === undefined && f.namespace.startsWith(`${props.namespace}.`)),
          )
        : heads;
    if (props.flowId !== undefined) selected = selected.filter((f) => f.id === props.flowId);
    const namespaces = new Set(selectNamespaces([...new Set(selected.map((f) => f.namespace))], props));
    const flows = filterByPattern(
      selected.filter((f) => namespaces.has(f.namespace)),
      props.flowPattern,
      (f) => f.id,
    );
    ctx.logger.info("purging old flow revisions from {} namespaces: {}", namespaces.size, [...namespaces].join(", "));
    let size = 0;
    for (const flow of flows) {
      const inUse = new Set(
        (
          await engine.executions.search({
            tenantId: engine.tenantId,
            namespace: flow.namespace,
            exactNamespace: true,
            flowId: flow.id,
            finished: false,
            size: Number.MAX_SAFE_INTEGER,
          })
        ).results.map((x) => x.flowRevision),
      );
      const revisions = revisionsToPurge(await engine.flows.revisions(flow.namespace, flow.id), props.behavior).filter(
        (r) => !inUse.has(r),
      );
      if (revisions.length > 0) size += await engine.flows.deleteRevisions(flow.namespace, flow.id, revisions);
    }
    ctx.logger.info("purged {} flow revisions", size);
    return { size };
  },
});
