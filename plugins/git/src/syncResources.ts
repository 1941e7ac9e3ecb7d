/**
 * What SyncFlows and SyncNamespaceFiles share (Kestra's AbstractSyncTask): a clone of the branch
 * in a scratch folder of the working directory, the folder of it to read, and the order of the
 * diff rows (deleted resources first, then by path in the repository).
 */
import { lstat, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { NonRetryableError, z, type RunContext } from "@saker/sdk";
import { checkNoLink, safeRelative } from "./paths.ts";
import { type Session, cloneInto, remoteRefs, requireBranch } from "./repository.ts";

export const SYNC_STATES = ["ADDED", "DELETED", "OVERWRITTEN", "UPDATED", "UNCHANGED"] as const;
export type SyncState = (typeof SYNC_STATES)[number];

export const syncing = {
  dryRun: z.boolean().default(false).describe("Only write the diff file: nothing changes on the instance."),
  failOnMissingDirectory: z
    .boolean()
    .default(true)
    .describe("Fail when `gitDirectory` does not exist in the branch; otherwise sync from an empty folder."),
};

export interface SyncCheckout {
  /** The folder of the clone that is synced (absolute). */
  base: string;
  /** The clone's root (absolute). */
  root: string;
  /** `gitDirectory` normalized ("" for the root). */
  folder: string;
}

/** Clones `branch` and hands `work` the folder `gitDirectory` of it; the clone is removed after. */
export async function withSyncCheckout<T>(
  ctx: RunContext,
  session: Session,
  branch: string,
  gitDirectory: string,
  failOnMissingDirectory: boolean,
  work: (checkout: SyncCheckout | undefined) => Promise<T>,
): Promise<T> {
  const folder = safeRelative(gitDirectory, "gitDirectory");
  const refs = await remoteRefs(session);
  requireBranch(refs, branch, session.remote);
  const root = await mkdtemp(join(await ctx.workingDir(), ".git-sync-"));
  try {
    await cloneInto(session, root, { ref: branch, depth: 1, singleBranch: true, noTags: true });
    await checkNoLink(root, folder, "gitDirectory");
    const base = join(root, folder);
    const stat = await lstat(base).catch(() => undefined);
    if (!stat) {
      if (failOnMissingDirectory)
        throw new NonRetryableError(
          `The directory '${gitDirectory}' was not found in the git repository. Verify if the path exists in the specified branch '${branch}'.`,
          { path: "gitDirectory" },
        );
      return await work(undefined);
    }
    if (!stat.isDirectory())
      throw new NonRetryableError(`The path '${gitDirectory}' exists but is a file, not a directory.`, {
        path: "gitDirectory",
      });
    return await work({ base, root, folder });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The path a diff row shows for a file of the synced folder. */
export const gitPathOf = (folder: string, path: string) => (folder ? `${folder}/${path}` : path);

/** Deleted rows (no git path) first, then by git path. */
export function sortRows<T extends { gitPath?: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => {
    if (a.gitPath === undefined) return b.gitPath === undefined ? 0 : -1;
    if (b.gitPath === undefined) return 1;
    return a.gitPath < b.gitPath ? -1 : a.gitPath > b.gitPath ? 1 : 0;
  });
}
