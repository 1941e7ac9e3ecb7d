/** PushNamespaceFiles: the files of a namespace committed into a folder of a repository. */
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import { globsOf, matchesAny } from "./globs.ts";
import { safeRelative } from "./paths.ts";
import { PREFIX, cloning, connect, connection } from "./properties.ts";
import { commitOutputs, pushOutputs, pushResources, pushing } from "./pushResources.ts";

export const PushNamespaceFiles = defineTask({
  type: `${PREFIX}.PushNamespaceFiles`,
  title: "Commit and push the files of a namespace to git",
  description:
    "Writes the namespace files of `namespace` (those matching `files`) into `gitDirectory`, keeping their paths, removes the files that no longer exist (`delete`), then commits and pushes to `branch`, created when missing.",
  examples: [
    {
      title: "Push the scripts of the namespace",
      code: `id: push_files\ntype: ${PREFIX}.PushNamespaceFiles\nurl: https://github.com/acme/flows\nusername: git-user\npassword: "{{ secret('GITHUB_TOKEN') }}"\nbranch: main\nnamespace: company.team\nfiles: "scripts/**"\ngitDirectory: _files\ncommitMessage: "Scripts of {{ now() }}"`,
    },
  ],
  properties: z.object({
    ...connection,
    ...cloning,
    ...pushing,
    branch: z.string().default("main").describe("The branch to push to; created when missing."),
    namespace: z.string().optional().describe("The namespace whose files are pushed; the flow's own by default."),
    gitDirectory: z.string().default("_files").describe("The repository folder the files go to."),
    files: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe(
        "Globs of the paths to push, relative to the namespace root (one, a list or a JSON list); all by default.",
      ),
    errorOnMissing: z.boolean().default(false).describe("Fail when no namespace file matches `files`."),
  }),
  outputs: z.object({
    ...pushOutputs,
    files: z
      .string()
      .optional()
      .describe("ION file: one row per changed file (`file`, `additions`, `deletions`, `changes`)."),
  }),
  async run(props, ctx) {
    const session = connect(ctx, props);
    const namespace = props.namespace ?? ctx.flow.namespace;
    const folder = safeRelative(props.gitDirectory, "gitDirectory");
    const globs = globsOf(props.files, "files");
    const store = ctx.storage.namespace(namespace);
    const files = new Map<string, Buffer>();
    for (const listed of await store.list()) {
      const path = listed.replace(/^\/+/, "");
      if (matchesAny(globs, path)) files.set(path, await store.get(path));
    }
    if (files.size === 0 && props.errorOnMissing)
      throw new NonRetryableError("No Namespace Files matched the provided 'files' parameter to commit.", {
        path: "files",
      });
    const result = await pushResources(ctx, session, props, {
      folder,
      files,
      globs,
      commitMessage: props.commitMessage ?? `Add files from ${namespace} namespace`,
      diffName: "files",
    });
    return { ...commitOutputs(result), ...(result.diff ? { files: result.diff } : {}) };
  },
});
