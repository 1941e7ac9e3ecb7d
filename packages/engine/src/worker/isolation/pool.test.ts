/**
 * The isolation pool's life: made with the first isolated task (a close before it loads
 * nothing), destroyed by a close, even a close that lands while that first task is still loading
 * the pool's library; one pool's close leaves another's tasks running.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { RunContext } from "@saker/sdk";
import { IsolationPool } from "./pool.ts";

const dir = mkdtempSync(join(tmpdir(), "saker-pool-"));
const entry = join(dir, "plugin.mjs");
writeFileSync(
  entry,
  `import { threadId } from "node:worker_threads";
export default { tasks: [
  { type: "t.Echo", run: (props) => ({ echoed: props }) },
  { type: "t.Thread", run: () => ({ threadId }) },
] };
`,
);
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
    const pool = new IsolationPool();
    expect(await pool.run(entry, "t.Echo", { label: "a" }, ctx)).toEqual({ echoed: { label: "a" } });
    // on another thread than this test's
    const ran = (await pool.run(entry, "t.Thread", {}, ctx)) as { threadId: number };
    expect(ran.threadId).toEqual(expect.any(Number));
    expect(ran.threadId).not.toBe(threadId);
    await pool.close();
  });

  it("a close during the pool's first load destroys the pool that load makes", async () => {
    const pool = new IsolationPool();
    // a task started while the pool is being made, then a close before it is made: the task is
    // refused by the destroyed pool, instead of running on a pool made after the close
    const first = outcome(pool.run(entry, "t.Echo", { label: "b" }, ctx));
    await pool.close();
    expect(await first).toEqual({ refused: expect.stringMatching(/terminat/i) });
    // the next task makes a new pool
    expect(await pool.run(entry, "t.Echo", { label: "c" }, ctx)).toEqual({ echoed: { label: "c" } });
    await pool.close();
  });

  it("one pool's close leaves another's tasks running (two instances in one process)", async () => {
    const one = new IsolationPool();
    const other = new IsolationPool();
    await one.run(entry, "t.Echo", {}, ctx);
    const running = outcome(other.run(entry, "t.Echo", { label: "d" }, ctx));
    await one.close();
    expect(await running).toEqual({ value: { echoed: { label: "d" } } });
    await other.close();
  });
});

describe("isolation pool, its library mocked", () => {
  afterEach(() => {
    vi.doUnmock("piscina");
  });

  it("a close before any isolated task loads no library and makes no threads", async () => {
    let loads = 0;
    vi.doMock("piscina", () => {
      loads++;
      return { Piscina: class {} };
    });
    const pool = new IsolationPool();
    await pool.close();
    await pool.close();
    expect(loads).toBe(0);
  });

  it("refuses the task, and the next task loads the library again", async () => {
    vi.doMock("piscina", () => {
      throw new Error("piscina missing");
    });
    const pool = new IsolationPool();
    // (vitest words the failed load its own way)
    expect(await outcome(pool.run(entry, "t.Echo", {}, ctx))).toEqual({ refused: expect.any(String) });
    vi.doUnmock("piscina");
    expect(await pool.run(entry, "t.Echo", { label: "e" }, ctx)).toEqual({ echoed: { label: "e" } });
    await pool.close();
  });
});
