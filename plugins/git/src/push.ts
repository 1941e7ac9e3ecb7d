/**
 * Push (deprecated in Kestra, kept for its flows): commits the working directory's repository
 * and pushes it. With `url`, the branch is cloned first and its files replaced by what the task
 * writes (input files, namespace files, the namespace's flows); without, the repository a Clone
 * left in the working directory is committed as it is.
 */
import * as fs from "node:fs";
import { mkdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { NonRetryableError, defineTask, z, type RunContext } from "@saker/sdk";
import { checkNoLink, safeRelative, writeInside } from "./paths.ts";
import { PREFIX, authorOf, cloning, connect, connection, flowsOf } from "./properties.ts";
import { attempt, changesUnder, checkoutForCommit, commitAndPush, type Change, type Session } from "./repository.ts";

const properties = z.object({
  ...connection,
  ...cloning,
  url: connection.url
    .optional()
    .describe(
      "The repository to clone and push; without it, the repository already in `directory` is pushed to its origin.",
    ),
  directory: z
    .string()
    .optional()
    .describe("Folder of the working directory holding the repository; its root by default."),
  branch: z.string().describe("The branch to push; created when missing."),
  commitMessage: z.string().describe("The commit message."),
  namespaceFiles: z
    .object({
      enabled: z.boolean().default(true),
      include: z.array(z.string()).optional(),
      exclude: z.array(z.string()).optional(),
      namespaces: z.array(z.string()).optional(),
    })
    .optional()
    .describe("Namespace files to copy into the working directory before the commit."),
  flows: z
    .object({
      enabled: z.boolean().default(true).describe("Write the flows of the current namespace."),
      childNamespaces: z.boolean().default(true).describe("Of its child namespaces too."),
      gitDirectory: z.string().default("_flows").describe("The repository folder they go to."),
    })
    .default({ enabled: true, childNamespaces: true, gitDirectory: "_flows" })
    .describe("Write the flows of the current namespace as `<namespace>.<id>.yml` files."),
  inputFiles: z
    .union([z.record(z.string(), z.string()), z.string()])
    .optional()
    .describe("Files to write into the working directory: name → content or `kestra://` URI (or a JSON text of it)."),
  addFilesPattern: z
    .array(z.string())
    .default(["."])
    .describe("The paths to stage (folders recursively, no globs); `.` for everything."),
  author: z
    .object({ name: z.string().optional(), email: z.string().optional() })
    .optional()
    .describe("Commit author; the name defaults to `username`."),
});

type PushProps = z.infer<typeof properties>;

export const Push = defineTask({
  type: `${PREFIX}.Push`,
  title: "Commit and push the working directory to git (deprecated)",
  description:
    "Deprecated in Kestra: prefer PushFlows and PushNamespaceFiles. Commits what the working directory's repository holds (with the flows of the namespace, input files and namespace files) and pushes it to `branch`.",
  examples: [
    {
      title: "Clone, add a file, push it to a new branch",
      code: `id: wdir\ntype: io.kestra.plugin.core.flow.WorkingDirectory\ntasks:\n  - id: clone\n    type: ${PREFIX}.Clone\n    url: https://github.com/acme/scripts\n    branch: main\n    username: git-user\n    password: "{{ secret('GITHUB_TOKEN') }}"\n  - id: push\n    type: ${PREFIX}.Push\n    username: git-user\n    password: "{{ secret('GITHUB_TOKEN') }}"\n    branch: feature\n    flows:\n      enabled: false\n    inputFiles:\n      to_commit/report.txt: "{{ execution.id }}"\n    addFilesPattern: [to_commit]\n    commitMessage: "Add the report"`,
    },
  ],
  properties,
  outputs: z.object({
    commitId: z.string().optional().describe("The id of the commit pushed (absent without changes)."),
  }),
  async run(props, ctx) {
    const root = await ctx.workingDir();
    const rel = props.directory === undefined ? "" : safeRelative(props.directory, "directory");
    await checkNoLink(root, rel, "directory");
    const base = rel ? join(root, rel) : root;
    await mkdir(base, { recursive: true });
    const session = props.url ? await cloneAndClear(ctx, props, base) : await openExisting(ctx, props, base);
    if (props.inputFiles !== undefined) await ctx.workingFiles.write(inputFilesOf(props.inputFiles));
    const nsFiles = props.namespaceFiles;
    if (nsFiles?.enabled)
      await ctx.workingFiles.copyNamespaceFiles({
        ...(nsFiles.include ? { include: nsFiles.include } : {}),
        ...(nsFiles.exclude ? { exclude: nsFiles.exclude } : {}),
        ...(nsFiles.namespaces ? { namespaces: nsFiles.namespaces } : {}),
      });
    if (props.flows.enabled) await writeFlows(ctx, base, props.flows);

    ctx.logger.info("Pushing to {} on branch {}", session.remote.url, props.branch);
    const changes = await stagedChanges(base, props);
    if (changes.length === 0) {
      ctx.logger.info("No changes to commit. Skipping push.");
      return {};
    }
    const author = authorOf({
      authorName: props.author?.name,
      authorEmail: props.author?.email,
      username: props.username,
    });
    const commitId = await commitAndPush(session, base, props.branch, changes, props.commitMessage, author);
    return { commitId };
  },
});

/** Kestra's `url` case: the branch cloned, then every tracked file removed, to be replaced. */
async function cloneAndClear(ctx: RunContext, props: PushProps, base: string): Promise<Session> {
  const { default: git } = await import("isomorphic-git");
  const session = connect(ctx, { ...props, url: props.url! });
  await checkoutForCommit(session, base, props.branch);
  for (const path of await git.listFiles({ fs, dir: base })) await unlink(join(base, path)).catch(() => undefined);
  return session;
}

async function openExisting(ctx: RunContext, props: PushProps, base: string): Promise<Session> {
  const { default: git } = await import("isomorphic-git");
  const origin = (await git.getConfig({ fs, dir: base, path: "remote.origin.url" }).catch(() => undefined)) as
    string | undefined;
  if (!origin)
    throw new NonRetryableError(
      `no git repository with an origin in '${props.directory ?? "."}' of the working directory: clone one first or set url`,
      { path: "url" },
    );
  const session = connect(ctx, { ...props, url: origin });
  const current = await git.currentBranch({ fs, dir: base }).catch(() => undefined);
  if (current !== props.branch)
    await attempt(session, `switch to branch '${props.branch}' in`, async () => {
      const local = await git.listBranches({ fs, dir: base });
      if (!local.includes(props.branch)) await git.branch({ fs, dir: base, ref: props.branch });
      await git.checkout({ fs, dir: base, ref: props.branch, cache: session.cache });
    });
  return session;
}

function inputFilesOf(value: Record<string, string> | string): Record<string, string> {
  if (typeof value !== "string") return value;
  try {
    const parsed: unknown = JSON.parse(value);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, string>;
  } catch {
    // not JSON: refused below
  }
  throw new NonRetryableError("inputFiles must be a map of file name to content (or a JSON text of one)", {
    path: "inputFiles",
  });
}

async function writeFlows(ctx: RunContext, base: string, options: PushProps["flows"]): Promise<void> {
  const folder = safeRelative(options.gitDirectory, "flows.gitDirectory");
  const namespace = ctx.flow.namespace;
  for (const flow of await flowsOf(ctx).list(namespace, { children: options.childNamespaces })) {
    const path = `${folder ? `${folder}/` : ""}${flow.namespace}.${flow.id}.yml`;
    await writeInside(base, path, flow.source.replace(/^revision:\s*\d+\n?/gm, ""), "flows.gitDirectory");
  }
}

/** The changes under the staged patterns; with `url`, every removed file too (Kestra removes them all first). */
async function stagedChanges(base: string, props: PushProps): Promise<Change[]> {
  const byPath = new Map<string, Change>();
  const patterns = props.addFilesPattern.map((p) => (p === "." ? "" : safeRelative(p, "addFilesPattern")));
  for (const pattern of patterns.includes("") ? [""] : patterns)
    for (const change of await changesUnder(base, pattern)) byPath.set(change.path, change);
  if (props.url)
    for (const change of await changesUnder(base, "")) if (change.kind === "DELETED") byPath.set(change.path, change);
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}
