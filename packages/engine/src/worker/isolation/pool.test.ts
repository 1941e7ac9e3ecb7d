/**
 * The isolation pool's life: made with the first isolated task, destroyed by a close, even a
 * close that lands while that first task is still loading the pool's library.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RunContext } from "@saker/sdk";
import { closeIsolationPool, runIsolatedTask } from "./pool.ts";

const dir = mkdtempSync(join(tmpdir(), "saker-pool-"));
const entry = join(dir, "plugin.mjs");
writeFileSync(entry, `export default { tasks: [{ type: "t.Echo", run: (props) => ({ echoed: props }) }] };\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the pool reads of a RunContext: its signal, where it runs, and a logger. */
const ctx = {
  signal: new AbortController().signal,
  flow: { namespace: "company.team" },
  execution: {},
  task: {},
  taskRun: {},
  variables: {},
  pluginConfiguration: () => ({}),
  logger: { log() {} },
} as unknown as RunContext;

const outcome = (run: Promise<unknown>) =>
  run.then(
    (value) => ({ value }),
    (error: Error) => ({ refused: error.message }),
  );

describe("isolation pool", () => {
  it("runs a task in a pool thread", async () => {
    expect(await runIsolatedTask(entry, "t.Echo", { label: "a" }, ctx)).toEqual({ echoed: { label: "a" } });
    await closeIsolationPool();
  });

  it("a close during the pool's first import destroys the pool that import makes", async () => {
    // a task started while the pool is being made, then a close before it is made: the task is
    // refused by the destroyed pool, instead of running on a pool made after the close
    const first = outcome(runIsolatedTask(entry, "t.Echo", { label: "b" }, ctx));
    await closeIsolationPool();
    expect(await first).toEqual({ refused: expect.stringMatching(/terminat/i) });
    // the next task makes a new pool
    expect(await runIsolatedTask(entry, "t.Echo", { label: "c" }, ctx)).toEqual({ echoed: { label: "c" } });
    await closeIsolationPool();
  });

  it("a close with no pool is a no-op", async () => {
    await expect(closeIsolationPool()).resolves.toBeUndefined();
  });
});
