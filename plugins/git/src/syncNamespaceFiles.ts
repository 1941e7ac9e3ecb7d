/** SyncNamespaceFiles: the files of a namespace made to mirror a folder of a repository. */
import { defineTask, z } from "@saker/sdk";
import { storeDiff } from "./diffFile.ts";
import { readIgnore } from "./kestraIgnore.ts";
import { walkFiles, type RepoFile } from "./paths.ts";
import { PREFIX, cloning, connect, connection } from "./properties.ts";
import { gitPathOf, sortRows, syncing, withSyncCheckout, type SyncState } from "./syncResources.ts";

interface Row {
  gitPath?: string;
  syncState: SyncState;
  kestraPath: string;
}

/** Files git keeps for itself, never synced. */
const GIT_FILES = new Set([".gitignore", ".gitkeep", ".gitattributes", ".gitmodules"]);

export const SyncNamespaceFiles = defineTask({
  type: `${PREFIX}.SyncNamespaceFiles`,
  title: "Sync the files of a namespace from git",
  description:
    "Writes the files of `gitDirectory` in `branch` as namespace files of `namespace`, keeping their paths; with `delete`, removes the namespace files that are not in git. Symbolic links pointing outside the repository are refused.",
  examples: [
    {
      title: "Mirror the `_files` folder of main into the namespace",
      code: `id: sync_files\ntype: ${PREFIX}.SyncNamespaceFiles\nurl: https://github.com/acme/flows\nusername: git-user\npassword: "{{ secret('GITHUB_TOKEN') }}"\nbranch: main\ngitDirectory: _files\nnamespace: company.team\ndelete: true`,
    },
  ],
  properties: z.object({
    ...connection,
    ...cloning,
    ...syncing,
    branch: z.string().default("main").describe("The branch to read."),
    namespace: z.string().optional().describe("The namespace receiving the files; the flow's own by default."),
    gitDirectory: z.string().default("_files").describe("The repository folder holding the files."),
    delete: z.boolean().default(false).describe("Delete the namespace files that are not in git."),
  }),
  outputs: z.object({
    files: z
      .string()
      .describe(
        "ION file: one row per file (`gitPath`, `syncState`: ADDED, OVERWRITTEN, UNCHANGED or DELETED, `kestraPath`).",
      ),
  }),
  async run(props, ctx) {
    const session = connect(ctx, props);
    const namespace = props.namespace ?? ctx.flow.namespace;
    const store = ctx.storage.namespace(namespace);
    const kestraPath = (path: string) => `/${namespace.replace(/\./g, "/")}/_files/${path}`;
    const rows: Row[] = [];
    const before = new Set((await store.list()).map((p) => p.replace(/^\/+/, "")));
    const inGit = new Set<string>();
    await withSyncCheckout(
      ctx,
      session,
      props.branch,
      props.gitDirectory,
      props.failOnMissingDirectory,
      async (checkout) => {
        if (!checkout) return;
        // the whole folder is walked (and every link checked) before the first write
        const ignore = await readIgnore(checkout.base, ctx.logger);
        const files: RepoFile[] = (await walkFiles(checkout.root, checkout.base)).filter(
          (f) => !GIT_FILES.has(f.path.split("/").pop()!) && !ignore.ignores(f.path),
        );
        for (const file of files) {
          const content = await file.content();
          inGit.add(file.path);
          let state: SyncState = "ADDED";
          if (before.has(file.path)) state = (await store.get(file.path)).equals(content) ? "UNCHANGED" : "OVERWRITTEN";
          if (!props.dryRun && state !== "UNCHANGED") await store.put(file.path, content);
          rows.push({
            gitPath: gitPathOf(checkout.folder, file.path),
            syncState: state,
            kestraPath: kestraPath(file.path),
          });
        }
      },
    );
    if (props.delete)
      for (const path of before) {
        if (inGit.has(path)) continue;
        if (!props.dryRun) await store.delete(path);
        rows.push({ syncState: "DELETED", kestraPath: kestraPath(path) });
      }
    return { files: await storeDiff(ctx, "files", sortRows(rows)) };
  },
});
