/**
 * Crash loops: an execution whose task is running when the server dies is resumed at the next
 * start, but not forever. A task that never ends, with `server local` SIGKILLed under it three
 * times, is FAILED at the third restart with a message saying why; a graceful stop (SIGTERM) in
 * between does not count.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "@saker/engine/testing";
import { json, postYaml, waitForExecution } from "../../packages/server/src/__tests__/testApi.ts";
import { startServerProcess, type ServerProcess } from "./serverProcess.ts";

const work = mkdtempSync(join(tmpdir(), "saker-crashloop-"));
const home = join(work, "home");

const FLOW = `id: hang
namespace: sec.crashloop
tasks:
  - id: forever
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1H
`;

let server: ServerProcess | undefined;

const get = async (path: string) => json(await fetch(`${server!.api}${path}`));

/** Waits until the task started once more than `before` times (its job is claimed and running). */
async function startedTimes(executionId: string, before: number): Promise<number> {
  return eventually(
    async () => {
      const logs = await json<{ message: string }[]>(await fetch(`${server!.api}/logs/${executionId}`));
      const n = logs.filter((l) => l.message === "Type Sleep started").length;
      return n > before ? n : undefined;
    },
    30_000,
    `task started more than ${before} times`,
  );
}

afterAll(async () => {
  await server?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe("crash loops", () => {
  it("fails an execution after 3 abrupt stops while its task ran; a graceful stop does not count", async () => {
    server = await startServerProcess(home);
    expect((await postYaml(`${server.api}/flows`, FLOW)).status).toBe(200);
    const created = await json(await fetch(`${server.api}/executions/sec.crashloop/hang`, { method: "POST" }));
    let starts = await startedTimes(created.id, 0);

    for (const signal of ["SIGKILL", "SIGKILL", "SIGTERM"] as const) {
      await (signal === "SIGKILL" ? server.kill() : server.stop());
      server = await startServerProcess(home);
      starts = await startedTimes(created.id, starts);
      expect((await get(`/executions/${created.id}`)).state.current, `after a ${signal}`).toBe("RUNNING");
    }

    await server.kill();
    server = await startServerProcess(home);
    const failed = await waitForExecution(server.api, created.id, (x) => x.state.current !== "RUNNING", 30_000);
    expect(failed.state.current).toBe("FAILED");
    expect(failed.taskRunList.find((t: { taskId: string }) => t.taskId === "forever").state.current).toBe("FAILED");
    const logs = await json<{ level: string; message: string }[]>(await fetch(`${server.api}/logs/${created.id}`));
    expect(logs.filter((l) => l.level === "ERROR").map((l) => l.message)).toContain(
      "The server stopped abruptly 3 times while running task 'forever'; the execution is failed instead of being resumed again",
    );
    expect(logs.filter((l) => l.message === "Type Sleep started")).toHaveLength(starts);
    // the server is up and runs new work
    const again = await json(await fetch(`${server.api}/executions/sec.crashloop/hang`, { method: "POST" }));
    await startedTimes(again.id, 0);
  }, 240_000);
});
