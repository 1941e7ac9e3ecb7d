/**
 * Git operations with isomorphic-git (no git binary), over HTTP or SSH (see ssh.ts): list the
 * remote's branches, clone, and commit-then-push the changes of one folder of a clone. Every
 * failure goes through `gitFailure`, so it names the cause and carries no credential.
 */
import * as fs from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { NonRetryableError, type RunContext } from "@saker/sdk";
import { gitFailure } from "./failures.ts";
import type { HttpClient } from "isomorphic-git";
import type { Remote } from "./remote.ts";

/** How isomorphic-git reaches the remote: an HTTP client, and the URL to give it. */
export interface Transport {
  http: HttpClient;
  /** The URL isomorphic-git is given: the remote's for HTTP, a stand-in the SSH client answers for SSH. */
  url: string;
  /** Ends what a git call left open (an SSH exec channel whose ref advertisement was all it needed). */
  release(): void;
}

export interface Session {
  ctx: RunContext;
  remote: Remote;
  http: HttpClient;
  /** The URL given to isomorphic-git (see {@link Transport.url}); `remote.url` is what is shown and stored. */
  transportUrl: string;
  release(): void;
  /** isomorphic-git's object cache, shared by the calls of one task run. */
  cache: object;
}

export function openSession(ctx: RunContext, remote: Remote, transport: Transport): Session {
  return {
    ctx,
    remote,
    http: transport.http,
    transportUrl: transport.url,
    release: () => transport.release(),
    cache: {},
  };
}

/** Runs a git call, turning its failure into a task error about `doing`. */
export async function attempt<T>(session: Session, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw gitFailure(session.ctx.signal.aborted ? session.ctx.signal.reason : error, session.remote, doing);
  } finally {
    session.release();
  }
}

export interface RemoteRefs {
  branches: Set<string>;
  tags: Set<string>;
  /** The branch HEAD points to, when the server says. */
  head?: string;
}

export async function remoteRefs(session: Session): Promise<RemoteRefs> {
  const { default: git } = await import("isomorphic-git");
  const refs = await attempt(session, "list the branches of", () =>
    git.listServerRefs({
      http: session.http,
      url: session.transportUrl,
      headers: { ...session.remote.headers },
      symrefs: true,
      protocolVersion: 1,
    }),
  );
  const branches = new Set<string>();
  const tags = new Set<string>();
  let head: string | undefined;
  for (const ref of refs) {
    if (ref.ref.startsWith("refs/heads/")) branches.add(ref.ref.slice("refs/heads/".length));
    else if (ref.ref.startsWith("refs/tags/")) tags.add(ref.ref.slice("refs/tags/".length).replace(/\^\{\}$/, ""));
    else if (ref.ref === "HEAD" && ref.target?.startsWith("refs/heads/")) head = ref.target.slice("refs/heads/".length);
  }
  return { branches, tags, ...(head ? { head } : {}) };
}

export interface CloneOptions {
  ref?: string | undefined;
  depth?: number | undefined;
  singleBranch?: boolean;
  noTags?: boolean;
}

export async function cloneInto(session: Session, dir: string, options: CloneOptions): Promise<void> {
  const { default: git } = await import("isomorphic-git");
  await attempt(session, "clone", async () => {
    await git.clone({
      fs,
      http: session.http,
      dir,
      url: session.transportUrl,
      headers: { ...session.remote.headers },
      cache: session.cache,
      ...(options.ref ? { ref: options.ref } : {}),
      ...(options.depth ? { depth: options.depth } : {}),
      singleBranch: options.singleBranch ?? false,
      noTags: options.noTags ?? false,
    });
    // the origin is the URL the flow gave (an SSH URL, not the stand-in), for a later Push to reconnect
    if (session.transportUrl !== session.remote.url)
      await git.setConfig({ fs, dir, path: "remote.origin.url", value: session.remote.url });
  });
}

/**
 * A clone of `branch` in `dir` to commit on, as Kestra's push and sync tasks start: the branch
 * when the remote has it; else the default branch, with `branch` created from it; else (an empty
 * repository) a new repository whose first commit will create the branch. Returns whether the
 * branch existed.
 */
export async function checkoutForCommit(session: Session, dir: string, branch: string): Promise<boolean> {
  const { default: git } = await import("isomorphic-git");
  const refs = await remoteRefs(session);
  if (refs.branches.has(branch)) {
    await cloneInto(session, dir, { ref: branch, depth: 1, singleBranch: true, noTags: true });
    return true;
  }
  if (refs.branches.size === 0) {
    await git.init({ fs, dir, defaultBranch: branch });
    await git.addRemote({ fs, dir, remote: "origin", url: session.remote.url });
    return false;
  }
  session.ctx.logger.info("Branch {} does not exist, creating it", branch);
  const start = refs.head && refs.branches.has(refs.head) ? refs.head : [...refs.branches][0]!;
  await cloneInto(session, dir, { ref: start, depth: 1, singleBranch: true, noTags: true });
  await git.branch({ fs, dir, ref: branch, checkout: true });
  return false;
}

/** The default-branch check of Clone: a clear error for a branch the remote does not have. */
export function requireBranch(refs: RemoteRefs, branch: string, remote: Remote): void {
  if (!refs.branches.has(branch))
    throw new NonRetryableError(
      `branch '${branch}' does not exist in ${remote.url}` +
        (refs.branches.size ? ` (branches: ${[...refs.branches].sort().join(", ")})` : " (the repository is empty)"),
      { path: "branch" },
    );
}

export type ChangeKind = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  path: string;
  kind: ChangeKind;
  /** The content at HEAD (empty when added). */
  before: Buffer;
  /** The content in the working tree (empty when deleted). */
  after: Buffer;
}

/** What differs between HEAD and the working tree under `folder` ("" for the whole clone), by path. */
export async function changesUnder(dir: string, folder: string): Promise<Change[]> {
  const { default: git } = await import("isomorphic-git");
  const head = await git.resolveRef({ fs, dir, ref: "HEAD" }).catch(() => undefined);
  const matrix = await git.statusMatrix({ fs, dir, ...(folder ? { filepaths: [folder] } : {}) });
  const changes: Change[] = [];
  for (const [path, inHead, inWorkdir] of matrix) {
    if (inHead === 1 && inWorkdir === 1) continue;
    const kind: ChangeKind = inHead === 0 ? "ADDED" : inWorkdir === 0 ? "DELETED" : "MODIFIED";
    if (kind === "ADDED" && inWorkdir === 0) continue;
    const before =
      kind === "ADDED" || !head
        ? Buffer.alloc(0)
        : Buffer.from((await git.readBlob({ fs, dir, oid: head, filepath: path })).blob);
    const after = kind === "DELETED" ? Buffer.alloc(0) : await readFile(join(dir, path));
    changes.push({ path, kind, before, after });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export interface Author {
  name: string;
  email: string;
}

/** Stages `changes`, commits them and pushes `branch`; returns the commit id. */
export async function commitAndPush(
  session: Session,
  dir: string,
  branch: string,
  changes: readonly Change[],
  message: string,
  author: Author,
): Promise<string> {
  const { default: git } = await import("isomorphic-git");
  for (const change of changes) {
    if (change.kind === "DELETED") await git.remove({ fs, dir, filepath: change.path, cache: session.cache });
    else await git.add({ fs, dir, filepath: change.path, cache: session.cache });
  }
  const commitId = await git.commit({ fs, dir, message, author, committer: author, cache: session.cache });
  await push(session, dir, branch);
  return commitId;
}

export async function push(session: Session, dir: string, branch: string): Promise<void> {
  const { default: git } = await import("isomorphic-git");
  const result = await attempt(session, "push to", () =>
    git.push({
      fs,
      http: session.http,
      dir,
      url: session.transportUrl,
      ref: branch,
      remoteRef: `refs/heads/${branch}`,
      headers: { ...session.remote.headers },
      cache: session.cache,
    }),
  );
  if (!result.ok)
    throw gitFailure(
      Object.assign(new Error(result.error ?? "refused"), { code: "GitPushError" }),
      session.remote,
      "push to",
    );
}
