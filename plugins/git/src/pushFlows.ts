/** PushFlows: the flows of a namespace (sources as saved) committed into a folder of a repository. */
import { defineTask, z } from "@saker/sdk";
import { globsOf, matchesAny } from "./globs.ts";
import { safeRelative } from "./paths.ts";
import { PREFIX, cloning, connect, connection, flowsOf } from "./properties.ts";
import { commitOutputs, pushOutputs, pushResources, pushing } from "./pushResources.ts";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The source as it goes to git: no `revision:` line, the namespace (and its children) renamed. */
export function exportedSource(source: string, from: string, to: string): string {
  let out = source.replace(/^revision:\s*\d+\n?/gm, "");
  if (to !== from) out = out.replace(new RegExp(`^(\\s*namespace:\\s*)${escape(from)}(?=$|[.\\s"'])`, "gm"), `$1${to}`);
  return out;
}

export const PushFlows = defineTask({
  type: `${PREFIX}.PushFlows`,
  title: "Commit and push the flows of a namespace to git",
  description:
    "Writes each flow of `sourceNamespace` (child namespaces in sub-folders with `includeChildNamespaces`) as `<id>.yml` into `gitDirectory`, removes the files of flows that no longer exist (`delete`), then commits and pushes to `branch`, created when missing.",
  examples: [
    {
      title: "Push the flows of the namespace every hour",
      code: `id: push_flows\ntype: ${PREFIX}.PushFlows\nurl: https://github.com/acme/flows\nusername: git-user\npassword: "{{ secret('GITHUB_TOKEN') }}"\nbranch: main\ngitDirectory: _flows\nsourceNamespace: company.team\nincludeChildNamespaces: true\ncommitMessage: "Flows of {{ now() }}"`,
    },
  ],
  properties: z.object({
    ...connection,
    ...cloning,
    ...pushing,
    branch: z.string().default("main").describe("The branch to push to; created when missing."),
    gitDirectory: z.string().default("_flows").describe("The repository folder the flows go to."),
    sourceNamespace: z.string().optional().describe("The namespace whose flows are pushed; the flow's own by default."),
    targetNamespace: z.string().optional().describe("Rewrite the flows' `namespace` to this one in the files."),
    flows: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe("Globs of the flow ids to push (one, a list or a JSON list); all by default."),
    includeChildNamespaces: z
      .boolean()
      .default(false)
      .describe("Push the flows of child namespaces too, in sub-folders."),
  }),
  outputs: z.object({
    ...pushOutputs,
    flows: z
      .string()
      .optional()
      .describe("ION file: one row per changed file (`file`, `additions`, `deletions`, `changes`)."),
  }),
  async run(props, ctx) {
    const session = connect(ctx, props);
    const namespace = props.sourceNamespace ?? ctx.flow.namespace;
    const folder = safeRelative(props.gitDirectory, "gitDirectory");
    const globs = globsOf(props.flows, "flows");
    const files = new Map<string, Buffer>();
    for (const flow of await flowsOf(ctx).list(namespace, { children: props.includeChildNamespaces })) {
      if (!matchesAny(globs, flow.id)) continue;
      const sub =
        flow.namespace === namespace ? "" : `${flow.namespace.slice(namespace.length + 1).replace(/\./g, "/")}/`;
      const source = exportedSource(flow.source, namespace, props.targetNamespace ?? namespace);
      files.set(`${sub}${flow.id}.yml`, Buffer.from(source, "utf8"));
    }
    const result = await pushResources(ctx, session, props, {
      folder,
      files,
      globs,
      commitMessage: props.commitMessage ?? `Add flows from ${namespace} namespace`,
      diffName: "flows",
    });
    return { ...commitOutputs(result), ...(result.diff ? { flows: result.diff } : {}) };
  },
});
