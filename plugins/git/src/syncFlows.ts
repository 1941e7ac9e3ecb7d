/**
 * SyncFlows: a namespace made to mirror a folder of a repository. Every flow file is validated
 * before anything changes, so one invalid file fails the task (naming it) and loses no flow.
 */
import { NonRetryableError, defineTask, z, type FlowSource } from "@saker/sdk";
import { storeDiff } from "./diffFile.ts";
import { readIgnore } from "./kestraIgnore.ts";
import { walkFiles } from "./paths.ts";
import { PREFIX, cloning, connect, connection, flowsOf } from "./properties.ts";
import { gitPathOf, sortRows, syncing, withSyncCheckout, type SyncState } from "./syncResources.ts";

interface Row {
  gitPath?: string;
  syncState: SyncState;
  flowId: string;
  namespace: string;
  revision: number;
}

interface Candidate {
  gitPath: string;
  namespace: string;
  source: string;
}

const FLOW_FILE = /\.ya?ml$/i;

/** The source with its first top-level `namespace:` line set to `namespace`, trailing blanks trimmed. */
export function withNamespace(source: string, namespace: string): string {
  return `${source.replace(/^namespace: .*$/m, `namespace: ${namespace}`).replace(/\s+$/, "")}\n`;
}

export const SyncFlows = defineTask({
  type: `${PREFIX}.SyncFlows`,
  title: "Sync the flows of a namespace from git",
  description:
    "Creates and updates the flows of `targetNamespace` from the flow files (`.yml`, `.yaml`) of `gitDirectory` in `branch`, sub-folders mapping to child namespaces with `includeChildNamespaces`; with `delete`, removes the flows that are not in git (never the flow running the task).",
  examples: [
    {
      title: "Mirror the `_flows` folder of main into the namespace",
      code: `id: sync_flows\ntype: ${PREFIX}.SyncFlows\nurl: https://github.com/acme/flows\nusername: git-user\npassword: "{{ secret('GITHUB_TOKEN') }}"\nbranch: main\ngitDirectory: _flows\ntargetNamespace: company.team\nincludeChildNamespaces: true\ndelete: true`,
    },
  ],
  properties: z.object({
    ...connection,
    ...cloning,
    ...syncing,
    branch: z.string().default("main").describe("The branch to read."),
    targetNamespace: z.string().describe("The namespace the flows are synced into (their `namespace` is rewritten)."),
    gitDirectory: z.string().default("_flows").describe("The repository folder holding the flow files."),
    includeChildNamespaces: z
      .boolean()
      .default(false)
      .describe("Sync sub-folders into the matching child namespaces (and delete in them)."),
    delete: z.boolean().default(false).describe("Delete the flows of the namespace that are not in git."),
    ignoreInvalidFlows: z
      .boolean()
      .default(false)
      .describe("Skip invalid flow files with a warning instead of failing."),
  }),
  outputs: z.object({
    flows: z
      .string()
      .describe(
        "ION file: one row per flow (`gitPath`, `syncState`: ADDED, UPDATED, UNCHANGED or DELETED, `flowId`, `namespace`, `revision`).",
      ),
  }),
  async run(props, ctx) {
    const session = connect(ctx, props);
    const flows = flowsOf(ctx);
    const target = props.targetNamespace;
    const candidates = await withSyncCheckout(
      ctx,
      session,
      props.branch,
      props.gitDirectory,
      props.failOnMissingDirectory,
      async (checkout) => {
        if (!checkout) return [];
        const found: Candidate[] = [];
        const ignore = await readIgnore(checkout.base, ctx.logger);
        for (const file of await walkFiles(checkout.root, checkout.base, props.includeChildNamespaces ? Infinity : 1)) {
          if (!FLOW_FILE.test(file.path) || ignore.ignores(file.path)) continue;
          const folders = file.path.split("/").slice(0, -1);
          const namespace = [target, ...folders].join(".");
          const source = withNamespace((await file.content()).toString("utf8"), namespace);
          found.push({ gitPath: gitPathOf(checkout.folder, file.path), namespace, source });
        }
        return found;
      },
    );

    const valid: Array<Candidate & { id: string }> = [];
    const invalid: string[] = [];
    const seen = new Map<string, string>();
    for (const c of candidates) {
      try {
        const declared = await flows.validate(c.source, c.gitPath);
        if (declared.namespace !== c.namespace)
          throw new Error(
            `its namespace '${declared.namespace}' is not '${c.namespace}' (no top-level 'namespace:' line?)`,
          );
        const key = `${declared.namespace}/${declared.id}`;
        if (seen.has(key)) throw new Error(`flow '${key}' is also defined in ${seen.get(key)}`);
        seen.set(key, c.gitPath);
        valid.push({ ...c, id: declared.id });
      } catch (error) {
        const message = `Invalid flow imported from Git (${c.gitPath}): ${(error as Error).message}`;
        if (!props.ignoreInvalidFlows) invalid.push(message);
        else ctx.logger.warn(message);
      }
    }
    if (invalid.length) throw new NonRetryableError(`${invalid.join("\n")}\nNo flow was changed.`);

    const before = new Map<string, FlowSource>();
    for (const f of await flows.list(target, { children: props.includeChildNamespaces }))
      before.set(`${f.namespace}/${f.id}`, f);
    const rows: Row[] = [];
    for (const c of valid) {
      const existing = before.get(`${c.namespace}/${c.id}`);
      let state: SyncState;
      let revision: number;
      if (props.dryRun) {
        const same = existing !== undefined && existing.source === c.source; // as `put` decides
        state = !existing ? "ADDED" : same ? "UNCHANGED" : "UPDATED";
        revision = !existing ? 1 : same ? existing.revision : existing.revision + 1;
      } else {
        const { flow, changed } = await flows.put(c.source, c.gitPath);
        state = !existing ? "ADDED" : changed ? "UPDATED" : "UNCHANGED";
        revision = flow.revision;
      }
      rows.push({ gitPath: c.gitPath, syncState: state, flowId: c.id, namespace: c.namespace, revision });
    }
    if (props.delete) {
      const synced = new Set(valid.map((c) => `${c.namespace}/${c.id}`));
      for (const [key, flow] of before) {
        if (synced.has(key)) continue;
        if (flow.namespace === ctx.flow.namespace && flow.id === ctx.flow.id) continue; // never the running flow
        if (!props.dryRun) await flows.delete(flow.namespace, flow.id);
        rows.push({ syncState: "DELETED", flowId: flow.id, namespace: flow.namespace, revision: flow.revision });
      }
    }
    const counts = rows.reduce<Record<string, number>>(
      (acc, r) => ({ ...acc, [r.syncState]: (acc[r.syncState] ?? 0) + 1 }),
      {},
    );
    ctx.logger.info("{}Synced flows of {}: {}", props.dryRun ? "Dry run: " : "", target, JSON.stringify(counts));
    return { flows: await storeDiff(ctx, "flows", sortRows(rows)) };
  },
});
