/**
 * What PushFlows and PushNamespaceFiles share (Kestra's AbstractPushTask): clone the branch
 * (created when missing), write the instance's resources into one folder of the clone, remove
 * the files that no longer exist on the instance, then commit and push the difference, or with
 * `dryRun` only report it. The diff file has one row per changed file.
 */
import { mkdir, mkdtemp, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { z, type RunContext } from "@saker/sdk";
import { storeDiff } from "./diffFile.ts";
import { matchesAny, type Glob } from "./globs.ts";
import { readIgnore, type IgnoreRules } from "./kestraIgnore.ts";
import { lineCounts } from "./lineDiff.ts";
import { checkNoLink, walkFiles, writeInside } from "./paths.ts";
import { commitUrl } from "./remote.ts";
import { changesUnder, checkoutForCommit, commitAndPush, type Session } from "./repository.ts";
import { author, authorOf, type ConnectionProps } from "./properties.ts";

export const pushing = {
  ...author,
  commitMessage: z.string().optional().describe("The commit message."),
  dryRun: z.boolean().default(false).describe("Only write the diff file: nothing is committed or pushed."),
  delete: z.boolean().default(true).describe("Remove the files of the folder that no longer exist on the instance."),
};

export const pushOutputs = {
  commitId: z.string().optional().describe("The id of the commit pushed (absent on a dry run or without changes)."),
  commitURL: z.string().optional().describe("Where to see the commit on the hosting service."),
};

export interface PushProps extends ConnectionProps {
  branch: string;
  commitMessage?: string | undefined;
  dryRun: boolean;
  delete: boolean;
  authorName?: string | undefined;
  authorEmail?: string | undefined;
}

export interface PushPlan {
  /** The folder of the repository (safe, relative; "" for the root). */
  folder: string;
  /** What the instance has: path relative to `folder` → content. */
  files: ReadonlyMap<string, Buffer>;
  /** Only files matching these may be removed (Kestra matches the path, the file name or its stem). */
  globs?: Glob[] | undefined;
  commitMessage: string;
  /** The diff file's name. */
  diffName: string;
}

export interface PushResult {
  commitId?: string;
  commitURL?: string;
  diff?: string;
}

export async function pushResources(
  ctx: RunContext,
  session: Session,
  props: PushProps,
  plan: PushPlan,
): Promise<PushResult> {
  if (plan.files.size === 0) {
    ctx.logger.info("No content to push - skipping Git operations.");
    return {};
  }
  const dir = await mkdtemp(join(await ctx.workingDir(), ".git-push-"));
  try {
    await checkoutForCommit(session, dir, props.branch);
    await checkNoLink(dir, plan.folder, "gitDirectory");
    const base = join(dir, plan.folder);
    await mkdir(base, { recursive: true });
    const ignore = await readIgnore(base, ctx.logger);
    if (props.delete) await removeOutdated(dir, base, plan, ignore);
    for (const [path, content] of plan.files)
      if (!ignore.ignores(path)) await writeInside(base, path, content, "gitDirectory");
    const changes = await changesUnder(dir, plan.folder);
    const rows = changes.map((c) => {
      const counts = lineCounts(c.before, c.after);
      return {
        file: c.path,
        additions: `+${counts.additions}`,
        deletions: `-${counts.deletions}`,
        changes: String(counts.changes),
      };
    });
    const result: PushResult = {};
    if (props.dryRun)
      ctx.logger.info(
        "Dry run — no changes will be pushed to {} for now until you set the `dryRun` parameter to false",
        session.remote.url,
      );
    else if (changes.length === 0) ctx.logger.info("No changes to commit. Skipping push.");
    else {
      ctx.logger.info("Pushing to {} on branch {}", session.remote.url, props.branch);
      const commitId = await commitAndPush(session, dir, props.branch, changes, plan.commitMessage, authorOf(props));
      result.commitId = commitId;
      result.commitURL = commitUrl(session.remote.url, props.branch, commitId);
      ctx.logger.info("Pushed to {}", result.commitURL);
    }
    result.diff = await storeDiff(ctx, plan.diffName, rows);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function removeOutdated(dir: string, base: string, plan: PushPlan, ignore: IgnoreRules): Promise<void> {
  for (const file of await walkFiles(dir, base)) {
    if (plan.files.has(file.path) || ignore.ignores(file.path)) continue;
    const name = file.path.split("/").pop()!;
    const stem = name.includes(".", 1) ? name.slice(0, name.lastIndexOf(".")) : name;
    const repoPath = plan.folder ? `${plan.folder}/${file.path}` : file.path;
    if (matchesAny(plan.globs, repoPath, name, stem)) await unlink(join(base, file.path));
  }
}

/** The commit outputs of a push, without empty values. */
export const commitOutputs = (r: PushResult) => ({
  ...(r.commitId ? { commitId: r.commitId } : {}),
  ...(r.commitURL ? { commitURL: r.commitURL } : {}),
});
