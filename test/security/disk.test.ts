/**
 * A full disk under a running `server local`: the data folder sits on a small tmpfs that the test
 * fills to the last byte, then frees. Writes answer 507 DISK_FULL naming the data folder, the
 * server stays up, the execution in flight ends once space is back, and new ones succeed.
 *
 * Mounting needs root (as in CI). Without it the test is skipped locally, and fails under CI.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../integration/cli.ts";

const mountPoint = mkdtempSync(join(tmpdir(), "saker-disk-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint]).status === 0;
const home = join(mountPoint, "home");
const filler = join(mountPoint, "filler");
if (!mounted) process.stderr.write(`disk.test: skipped, cannot mount a tmpfs on ${mountPoint} (needs root)\n`);

const INFLIGHT = `id: inflight
namespace: sec.disk
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT4S
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "after the sleep"
`;
const QUICK = `id: quick
namespace: sec.disk
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "hello"
`;

let server: ChildProcess | undefined;
let api = "";
let stderr = "";
let exited: number | null | undefined;

/** Writes zeros until the file system says ENOSPC, in big then small then 1-byte chunks. */
function fillDisk(): void {
  const fd = openSync(filler, "w");
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Empties the WAL so that the server's next write has to grow a file. */
async function checkpoint(): Promise<void> {
  const db = new Database(join(home, "saker.db"));
  try {
    for (let i = 0; i < 50; i++) {
      const [row] = db.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
      if (row!.busy === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    db.close();
  }
}

function startServer(): Promise<void> {
  mkdirSync(home, { recursive: true });
  server = spawn(process.execPath, [BIN, "server", "local", "-p", "0"], { cwd: ROOT, env: { ...process.env, SAKER_HOME: home } });
  server.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  server.once("exit", (code) => (exited = code));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start; stderr:\n${stderr}`)), 60_000);
    server!.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const match = /Saker API on (http:\/\/\S+\/api\/v1)/.exec(out);
      if (match) {
        clearTimeout(timer);
        api = match[1]!;
        resolve();
      }
    });
  });
}

async function poll<T>(what: string, timeoutMs: number, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; server stderr:\n${stderr}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read loosely
type Json = Record<string, any>;
const json = async (response: Response) => (await response.json()) as Json;
const execution = async (id: string) => json(await fetch(`${api}/executions/${id}`));
const deploy = (yaml: string) => fetch(`${api}/flows`, { method: "POST", headers: { "Content-Type": "application/x-yaml" }, body: yaml });

beforeAll(async () => {
  if (mounted) await startServer();
}, 90_000);

afterAll(async () => {
  if (server && exited === undefined) {
    server.kill("SIGTERM");
    await new Promise((r) => server!.once("exit", r));
  }
  if (mounted) spawnSync("umount", ["-l", mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe.skipIf(!mounted)("a full disk under server local", () => {
  it("answers 507 naming the data folder, stays up, and ends the execution in flight once space is back", async () => {
    expect((await deploy(INFLIGHT)).status).toBe(200);
    expect((await deploy(QUICK)).status).toBe(200);
    const created = await json(await fetch(`${api}/executions/sec.disk/inflight`, { method: "POST" }));
    await poll("the sleep running", 30_000, async () => ((await execution(created.id)).taskRunList?.some((t: any) => t.taskId === "wait" && t.state.current === "RUNNING") ? true : undefined));

    await checkpoint();
    fillDisk();
    try {
      const writes = [
        await fetch(`${api}/executions/sec.disk/quick`, { method: "POST" }),
        await fetch(`${api}/namespaces/sec.disk/kv/answer`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: "42" }),
        await deploy(QUICK.replace("id: quick", "id: another")),
        await fetch(`${api}/namespaces/sec.disk/files?path=/data.txt`, { method: "POST", body: (() => { const f = new FormData(); f.append("fileContent", new Blob([Buffer.alloc(64 * 1024, 1)]), "data.txt"); return f; })() }),
      ];
      for (const response of writes) {
        const body = await json(response);
        expect(response.status, JSON.stringify(body)).toBe(507);
        expect(body.code).toBe("DISK_FULL");
        expect(body.message).toContain("disk is full");
        expect(body.message).toContain(home);
      }
      // Reads and health still answer; the sleep ends meanwhile and its result waits for space.
      expect((await fetch(`${api.replace(/\/api\/v1$/, "")}/health`)).status).toBe(200);
      expect((await fetch(`${api}/executions/${created.id}`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 5_000));
      expect(exited, stderr).toBeUndefined();
    } finally {
      rmSync(filler, { force: true });
    }

    const ended = await poll("the execution in flight ending", 60_000, async () => {
      const x = await execution(created.id);
      return ["SUCCESS", "FAILED"].includes(x.state.current) ? x : undefined;
    });
    if (ended.state.current === "FAILED") {
      const logs = await json(await fetch(`${api}/logs/${created.id}`));
      expect(JSON.stringify(logs)).toMatch(/disk is full|no space left/i);
    } else {
      expect(ended.taskRunList.map((t: any) => t.taskId)).toEqual(["wait", "after"]);
    }

    const quick = await json(await fetch(`${api}/executions/sec.disk/quick?wait=true`, { method: "POST" }));
    expect(quick.state.current).toBe("SUCCESS");
    expect(exited, stderr).toBeUndefined();
    expect(stderr).toContain("The disk is full");
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 180_000);
});

describe.runIf(!mounted && !!process.env.CI)("a full disk under server local (CI)", () => {
  it("can mount a tmpfs", () => {
    throw new Error(`CI must run the disk test: mounting a tmpfs on ${mountPoint} failed (run as root)`);
  });
});
