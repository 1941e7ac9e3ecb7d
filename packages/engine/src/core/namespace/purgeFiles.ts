/** `namespace.PurgeFiles`: deletes namespace files across namespaces, by version retention. */
import { defineTask, NonRetryableError, z } from "@saker/sdk";
import { engineOf } from "../../plugins/engineServices.ts";
import { filterByPattern, namespaceSelectionProperties, selectNamespaces } from "../purge/targets.ts";

const versionBehavior = z.object({
  type: z.literal("version"),
  before: z
    .string()
    .optional()
    .describe("Delete the versions updated up to this date; the last version of a file is always kept."),
  keepAmount: z.number().int().min(0).optional().describe("Keep this many of the most recent versions of each file."),
});

/** The namespaces of the flows and the namespaces above them, where namespace files live. */
function knownNamespaces(flowNamespaces: readonly string[]): string[] {
  const all = new Set<string>();
  for (const ns of flowNamespaces) {
    const parts = ns.split(".");
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join("."));
  }
  return [...all].sort();
}

export const PurgeFiles = defineTask({
  type: "io.kestra.plugin.core.namespace.PurgeFiles",
  title: "Purge namespace files",
  description:
    "Deletes namespace files of the namespaces named in `namespaces` (with their child namespaces unless `includeChildNamespaces` is false) or matching `namespacePattern`, or of every namespace; only files whose path matches `filePattern` when it is set. `behavior` (`{type: version, before, keepAmount}`, by default keeping the latest version) decides which versions go. Saker keeps one version per file, so a file goes only when every version of it may go: no `before` and no `keepAmount` above 0.",
  examples: [
    {
      title: "Delete the SQL files of a namespace tree",
      code: 'id: purge_files\ntype: io.kestra.plugin.core.namespace.PurgeFiles\nnamespaces:\n  - company\nfilePattern: "*.sql"\nbehavior:\n  type: version',
    },
  ],
  properties: z.object({
    ...namespaceSelectionProperties,
    filePattern: z.string().optional().describe("Only files whose path matches this glob (`*`, `?`)."),
    behavior: versionBehavior.optional().describe("Which versions go (default: keep the latest one)."),
  }),
  outputs: z.object({ size: z.number().describe("The number of purged namespace file versions.") }),
  async run(props, ctx) {
    const engine = engineOf(ctx);
    const behavior = props.behavior ?? { type: "version" as const, keepAmount: 1 };
    if (behavior.before !== undefined && Number.isNaN(Date.parse(behavior.before)))
      throw new NonRetryableError(`\`behavior.before\` is not a date: '${behavior.before}'`);
    const deletesAll = behavior.before === undefined && !behavior.keepAmount;
    const namespaces = selectNamespaces(knownNamespaces((await engine.flows.heads()).map((f) => f.namespace)), props);
    ctx.logger.info("purging {} namespaces: {}", namespaces.length, namespaces.join(", "));
    let size = 0;
    for (const ns of namespaces) {
      const files = ctx.storage.namespace(ns);
      const paths = filterByPattern(await files.list(), props.filePattern, (p) => p.replace(/^\/+/, ""));
      if (!deletesAll) continue;
      for (const path of paths) if (await files.delete(path)) size++;
    }
    ctx.logger.info("purged {} files", size);
    return { size };
  },
});
