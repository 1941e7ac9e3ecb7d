/**
 * Clone: the repository into the task's working directory (or a folder of it), so that the
 * next tasks of a WorkingDirectory see its files.
 */
import * as fs from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { NonRetryableError, defineTask, z } from "@saker/sdk";
import { checkNoLink, safeRelative } from "./paths.ts";
import { PREFIX, cloning, connect, connection } from "./properties.ts";
import { attempt, cloneInto, remoteRefs, requireBranch } from "./repository.ts";

export const Clone = defineTask({
  type: `${PREFIX}.Clone`,
  title: "Clone a git repository",
  description:
    "Clones a repository over HTTP(S) or SSH into the working directory. Inside a `WorkingDirectory` task, the next tasks see the files.",
  examples: [
    {
      title: "Clone a branch and run a script of it",
      code: `id: wdir\ntype: io.kestra.plugin.core.flow.WorkingDirectory\ntasks:\n  - id: clone\n    type: ${PREFIX}.Clone\n    url: https://github.com/kestra-io/examples\n    branch: main\n  - id: list\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands: [ls -la]`,
    },
    {
      title: "Clone over SSH with a deploy key",
      code: `id: clone\ntype: ${PREFIX}.Clone\nurl: git@github.com:acme/private-repo.git\nbranch: main\nprivateKey: "{{ secret('GITHUB_SSH_KEY') }}"\npassphrase: "{{ secret('GITHUB_SSH_KEY_PASSPHRASE') }}"`,
    },
  ],
  properties: z.object({
    ...connection,
    ...cloning,
    directory: z
      .string()
      .optional()
      .describe("Folder of the working directory to clone into (relative); the working directory itself by default."),
    branch: z.string().optional().describe("Branch to check out; the remote's default branch when absent."),
    depth: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe("Shallow clone depth; ignored when `commit` or `tag` is set."),
    commit: z.string().optional().describe("A commit SHA to check out (detached); overrides `branch`, full history."),
    tag: z.string().optional().describe("A tag to check out (ignored when `commit` is set); full history."),
    cloneAllBranches: z.boolean().default(true).describe("Fetch every branch; `false` fetches `branch` only."),
    noTags: z.boolean().default(false).describe("Do not fetch tags."),
  }),
  outputs: z.object({ directory: z.string().describe("The folder the repository was cloned into.") }),
  async run(props, ctx) {
    const session = connect(ctx, props);
    if (!props.cloneAllBranches && !props.branch)
      throw new NonRetryableError("when `cloneAllBranches` is false, `branch` must be set", { path: "branch" });
    if (props.tag && props.noTags)
      throw new NonRetryableError("`tag` cannot be used with `noTags: true`", { path: "tag" });
    const root = await ctx.workingDir();
    const rel = props.directory === undefined ? "" : safeRelative(props.directory, "directory");
    await checkNoLink(root, rel, "directory");
    const dir = rel ? join(root, rel) : root;
    await mkdir(dir, { recursive: true });
    ctx.logger.info("Start cloning from '{}'", session.remote.url);
    const refs = await remoteRefs(session);
    if (props.branch) requireBranch(refs, props.branch, session.remote);
    if (props.tag && !props.commit && !refs.tags.has(props.tag))
      throw new NonRetryableError(`tag '${props.tag}' does not exist in ${session.remote.url}`, { path: "tag" });
    const fullHistory = props.commit !== undefined || props.tag !== undefined;
    await cloneInto(session, dir, {
      ref: props.branch,
      depth: fullHistory ? undefined : props.depth,
      singleBranch: !props.cloneAllBranches,
      noTags: props.noTags,
    });
    const target = props.commit ?? (props.tag ? `refs/tags/${props.tag}` : undefined);
    if (target) {
      await attempt(session, `check out '${target}' of`, async () => {
        const { default: git } = await import("isomorphic-git");
        const oid = props.commit
          ? await git.expandOid({ fs, dir, oid: props.commit, cache: session.cache })
          : await git.resolveRef({ fs, dir, ref: target });
        await git.checkout({ fs, dir, ref: oid, cache: session.cache, force: true });
      });
      ctx.logger.info("Checked out {}", target);
    }
    return { directory: dir };
  },
});
