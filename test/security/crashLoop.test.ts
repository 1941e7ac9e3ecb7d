/**
 * Crash loops: an execution whose task is running when the server dies is resumed at the next
 * start, but not forever. A task that never ends, with `server local` SIGKILLed under it three
 * times, is FAILED at the third restart with a message saying why; a graceful stop (SIGTERM) in
 * between does not count.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../integration/cli.ts";

const work = mkdtempSync(join(tmpdir(), "saker-crashloop-"));
const home = join(work, "home");

const FLOW = `id: hang
namespace: sec.crashloop
tasks:
  - id: forever
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1H
`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are read loosely
type Json = Record<string, any>;

let server: ChildProcess | undefined;
let api = "";
let stderr = "";

function start(): Promise<void> {
  server = spawn(process.execPath, [BIN, "server", "local", "-p", "0"], { cwd: ROOT, env: { ...process.env, SAKER_HOME: home } });
  server.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
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

async function stop(signal: NodeJS.Signals): Promise<void> {
  const child = server!;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
  server = undefined;
}

async function poll<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; server stderr:\n${stderr}`);
}

const get = async (path: string) => (await (await fetch(`${api}${path}`)).json()) as Json;

/** Waits until the task started once more than `before` times (its job is claimed and running). */
async function startedTimes(executionId: string, before: number): Promise<number> {
  return poll(`task started more than ${before} times`, async () => {
    const logs = (await get(`/logs/${executionId}`)) as unknown as { message: string }[];
    const n = logs.filter((l) => l.message === "Type Sleep started").length;
    return n > before ? n : undefined;
  });
}

afterAll(async () => {
  if (server) await stop("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

describe("crash loops", () => {
  it("fails an execution after 3 abrupt stops while its task ran; a graceful stop does not count", async () => {
    await start();
    const deployed = await fetch(`${api}/flows`, { method: "POST", headers: { "Content-Type": "application/x-yaml" }, body: FLOW });
    expect(deployed.status).toBe(200);
    const created = (await (await fetch(`${api}/executions/sec.crashloop/hang`, { method: "POST" })).json()) as Json;
    let starts = await startedTimes(created.id, 0);

    for (const signal of ["SIGKILL", "SIGKILL", "SIGTERM"] as const) {
      await stop(signal);
      await start();
      starts = await startedTimes(created.id, starts);
      expect((await get(`/executions/${created.id}`)).state.current, `after a ${signal}`).toBe("RUNNING");
    }

    await stop("SIGKILL");
    await start();
    const failed = await poll("the execution failed", async () => {
      const x = await get(`/executions/${created.id}`);
      return x.state.current === "RUNNING" ? undefined : x;
    });
    expect(failed.state.current).toBe("FAILED");
    expect(failed.taskRunList.find((t: Json) => t.taskId === "forever").state.current).toBe("FAILED");
    const logs = (await get(`/logs/${created.id}`)) as unknown as { level: string; message: string }[];
    expect(logs.filter((l) => l.level === "ERROR").map((l) => l.message)).toContain(
      "The server stopped abruptly 3 times while running task 'forever'; the execution is failed instead of being resumed again",
    );
    expect(logs.filter((l) => l.message === "Type Sleep started")).toHaveLength(starts);
    // the server is up and runs new work
    const again = (await (await fetch(`${api}/executions/sec.crashloop/hang`, { method: "POST" })).json()) as Json;
    await startedTimes(again.id, 0);
  }, 240_000);
});
