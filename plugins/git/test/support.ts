/**
 * Test support: a real engine instance with the core plugin and this one registered, and a real
 * git server on loopback: `git http-backend` run as CGI behind a small Node server that checks
 * Basic credentials itself, so wrong credentials get a real 401.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coreRegistry, openTestInstance, storedText, type TestInstance } from "@saker/engine/testing";
import { readIonLines } from "@saker/sdk/ion";
import git from "../src/index.ts";

export async function gitInstance(): Promise<TestInstance> {
  const registry = coreRegistry();
  registry.addPlugin({ name: "@saker/plugin-git", version: "1.0.0", core: false }, git);
  return openTestInstance({ registry });
}

export { eventually, storedText, taskRun } from "@saker/engine/testing";

export const USER = "alice";
export const TOKEN = "tok-3f9a2c71e8";

const BACKEND = "/usr/lib/git-core/git-http-backend";

export interface TestGitServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Where the bare repositories live. */
  root: string;
  /** `<base>/<name>.git` */
  url(name: string): string;
  /** Creates a bare repository; with `files`, one commit of them on `branch` (and more branches). */
  createRepo(name: string, files?: Record<string, RepoEntry>, branch?: string): string;
  /** Commits `files` (null deletes, `{ link }` a symbolic link) on `branch` of the repository, straight on disk. */
  commit(name: string, files: Record<string, RepoEntry>, branch?: string, message?: string): void;
  /** Runs git in the bare repository. */
  git(name: string, ...args: string[]): string;
  /** `git log --format=%an <%ae>|%s` of a branch, newest first. */
  log(name: string, branch?: string): string[];
  /** The content of a file at the tip of a branch, or undefined. */
  show(name: string, path: string, branch?: string): string | undefined;
  close(): Promise<void>;
}

/** A file's content, a symbolic link to `link`, or null for a deletion. */
export type RepoEntry = string | null | { link: string };

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: tmpdir(),
};

function run(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: "utf8", stdio: "pipe" });
}

export async function startGitServer(): Promise<TestGitServer> {
  const root = mkdtempSync(join(tmpdir(), "saker-git-"));
  const repos = join(root, "repos");
  mkdirSync(repos);
  const server = createServer((req, res) => serve(repos, req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bare = (name: string) => join(repos, `${name}.git`);

  // one `git fast-import` per commit, straight into the bare repository: fast, no clone or push
  const commit: TestGitServer["commit"] = (name, files, branch = "main", message = "test commit") => {
    const ref = `refs/heads/${branch}`;
    const exists = spawnSync("git", ["rev-parse", "--verify", "-q", ref], { cwd: bare(name) }).status === 0;
    const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    let stream = `commit ${ref}\ncommitter Test <test@example.com> now\n${data(message)}`;
    if (exists) stream += `from ${ref}^0\n`;
    for (const [path, content] of Object.entries(files)) {
      if (content === null) stream += `D ${path}\n`;
      else if (typeof content === "string") stream += `M 100644 inline ${path}\n${data(content)}`;
      else stream += `M 120000 inline ${path}\n${data(content.link)}`;
    }
    execFileSync("git", ["fast-import", "--quiet", "--date-format=now"], {
      cwd: bare(name),
      input: `${stream}done\n`,
      env: { ...process.env, ...GIT_ENV },
      stdio: ["pipe", "pipe", "pipe"],
    });
  };
  return {
    base,
    root,
    url: (name) => `${base}/${name}.git`,
    createRepo(name, files, branch = "main") {
      run(repos, "init", "-q", "--bare", "-b", "main", bare(name));
      run(bare(name), "config", "http.receivepack", "true");
      if (files) commit(name, files, branch, "initial commit");
      return bare(name);
    },
    commit,
    git: (name, ...args) => run(bare(name), ...args),
    log: (name, branch = "main") =>
      run(bare(name), "log", "--format=%an <%ae>|%s", branch).trim().split("\n").filter(Boolean),
    show(name, path, branch = "main") {
      try {
        return run(bare(name), "show", `${branch}:${path}`);
      } catch {
        return undefined;
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Basic auth checked here; `/moved/…` redirects to `/…`; the rest goes to git-http-backend as CGI. */
function serve(repos: string, req: IncomingMessage, res: ServerResponse): void {
  const expected = `Basic ${Buffer.from(`${USER}:${TOKEN}`).toString("base64")}`;
  if (req.headers.authorization !== expected) {
    res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end("Unauthorized");
    return;
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname.startsWith("/moved/")) {
    // a renamed repository: GETs get a 301, POSTs a 307 (kept a POST with its body)
    const location = `${url.pathname.slice("/moved".length)}${url.search}`;
    res.writeHead(req.method === "GET" ? 301 : 307, { Location: location }).end();
    req.resume();
    return;
  }
  const cgi = spawn(BACKEND, [], {
    env: {
      ...GIT_ENV,
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: repos,
      GIT_HTTP_EXPORT_ALL: "1",
      REMOTE_USER: USER,
      REMOTE_ADDR: "127.0.0.1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ""),
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      ...(req.headers["content-length"] ? { CONTENT_LENGTH: req.headers["content-length"] } : {}),
      ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] } : {}),
      ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
    },
  });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersSent = false;
  cgi.stdout.on("data", (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    headersSent = true;
    res.write(head.subarray(end + 4));
  });
  cgi.on("close", () => res.end());
  cgi.on("error", () => res.writeHead(500).end());
}

/** A TCP server that accepts connections and never answers: a server that hangs. */
export async function startSilentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer();
  server.on("connection", (s) => sockets.add(s));
  server.removeAllListeners("request");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A flow running one task of this plugin with `props` (YAML lines), in a WorkingDirectory with `after` tasks. */
export function gitFlow(id: string, namespace: string, type: string, props: string, after = ""): string {
  const indented = props
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
  return `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: git\n    type: io.kestra.plugin.git.${type}\n${indented}\n${after}`;
}

/** The rows of a diff file the tasks store (ION, one row a line). */
export async function diffRows(test: TestInstance, uri: unknown): Promise<Record<string, unknown>[]> {
  const text = await storedText(test, String(uri));
  const rows: Record<string, unknown>[] = [];
  for await (const row of readIonLines([text])) rows.push(row as Record<string, unknown>);
  return rows;
}

/** Every log message of an execution, one a line. */
export const logsOf = (test: TestInstance, executionId: string) =>
  test.instance.logs
    .find({ executionId })
    .map((e) => e.message)
    .join("\n");

/** A flow running one Log task. */
export const logFlow = (namespace: string, id: string, message = "hello") =>
  `id: ${id}\nnamespace: ${namespace}\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: ${message}\n`;
