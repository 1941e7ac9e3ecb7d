/**
 * The executor's pipeline: within one process, an execution's steps run ahead of the disk (jobs go
 * to the worker before their step commits) and commit in groups, one execution write per group;
 * a job created and ended within a group never becomes a queue row. Followers hear only of what
 * is committed; a group that fails to commit is redone from the database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { NOTIFY } from "../backend/notifier.ts";
import type { LogEntry } from "../executor/types.ts";
import type { Execution } from "../model/execution.ts";
import {
  countTransactions,
  eventually,
  logTaskItems,
  openTestInstance,
  refuseWrites,
  type TestInstance,
  testBackend,
} from "../testing/testInstance.ts";

/** For the test that makes SQLite refuse a write (a trigger of its own). */
const itSql = testBackend() === "postgres" ? it.skip : it;

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

const chain = (id: string, tasks: number) => `id: ${id}
namespace: unit.pipeline
tasks:
${logTaskItems(tasks)}`;

/** Counts the queue rows inserted for jobs from now on, by a trigger of the test's database. */
async function countJobRows(test: TestInstance): Promise<() => Promise<number>> {
  const database = test.instance.config.database;
  if (database.type !== "postgres") {
    const db = test.instance.db;
    db.exec(`CREATE TEMP TABLE jobs_inserted (seq INTEGER);
      CREATE TEMP TRIGGER count_jobs AFTER INSERT ON queue WHEN NEW.topic = 'worker'
      BEGIN INSERT INTO jobs_inserted VALUES (NEW.seq); END`);
    return async () => (db.prepare("SELECT COUNT(*) AS n FROM jobs_inserted").get() as { n: number }).n;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE test_jobs_inserted (seq BIGINT);
      CREATE FUNCTION test_count_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.topic = 'worker' THEN INSERT INTO test_jobs_inserted VALUES (NEW.seq); END IF; RETURN NEW; END $$;
      CREATE TRIGGER test_count_jobs AFTER INSERT ON queue FOR EACH ROW EXECUTE FUNCTION test_count_jobs();`);
  } finally {
    await client.end();
  }
  return async () => {
    const reader = new pg.Client({ connectionString: database.url });
    await reader.connect();
    try {
      return Number((await reader.query("SELECT COUNT(*) AS n FROM test_jobs_inserted")).rows[0].n);
    } finally {
      await reader.end();
    }
  };
}

const states = (x: Execution) => x.taskRunList.map((t) => [t.taskId, t.state.current]);

describe("executor pipeline", () => {
  it("commits a chain of sequential tasks in far fewer commits than tasks, with everything on disk", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const tasks = 60;
    const { flow } = await instance.deploy(chain("long", tasks));
    const jobRows = await countJobRows(test);
    const transactions = countTransactions(instance.backend);

    const created = await instance.createExecution(flow.namespace, flow.id);
    const ended = await instance.waitForEnd(created.id, 20_000);
    expect(ended.state.current).toBe("SUCCESS");
    const stored = instance.executions.get(created.id)!.execution;
    expect(stored.state.current).toBe("SUCCESS");
    expect(states(stored)).toEqual(Array.from({ length: tasks }, (_, i) => [`t${i}`, "SUCCESS"]));
    expect(stored.taskRunList.every((t) => t.state.histories.map((h) => h.state).join() === "CREATED,RUNNING,SUCCESS"));
    // most steps commit together, and most jobs end before their step commits: no row at all
    expect(transactions.count).toBeLessThan(tasks / 2);
    expect(await jobRows()).toBeLessThan(tasks / 2);
    const lines = (await instance.backend.logs.find({ executionId: created.id })).map((l) => l.message);
    for (let i = 0; i < tasks; i++) expect(lines.filter((l) => l === `line t${i}`)).toHaveLength(1);
    expect(await instance.backend.queue.hasKey(created.id)).toBe(false);
  });

  it("announces an execution and its task lines only as committed: every notified state is the one on disk", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const { flow } = await instance.deploy(chain("told", 20));
    const mismatches: string[] = [];
    let notified = 0;
    let endNotified = 0;
    const check = (payload: unknown, end: boolean) => {
      const told = payload as Execution;
      if (told.flowId !== "told") return;
      notified++;
      if (end) endNotified++;
      const stored = instance.executions.get(told.id);
      const onDisk = stored?.execution;
      if (
        !onDisk ||
        onDisk.state.current !== told.state.current ||
        onDisk.taskRunList.length !== told.taskRunList.length
      )
        mismatches.push(`${told.state.current}/${told.taskRunList.length} vs ${onDisk?.state.current}`);
      else if (JSON.stringify(states(onDisk)) !== JSON.stringify(states(told))) mismatches.push("task runs differ");
      if (end && !stored?.finished) mismatches.push("ended, not finished on disk");
    };
    let lines = 0;
    const off = [
      instance.backend.notifier.on(NOTIFY.log, (payload) => {
        const line = payload as LogEntry;
        if (line.flowId !== "told" || !line.taskRunId) return;
        lines++;
        // a task's line is told once its task run (the step that created its job) is on disk
        const onDisk = instance.executions.get(line.executionId!)?.execution;
        if (!onDisk?.taskRunList.some((t) => t.id === line.taskRunId))
          mismatches.push(`line of ${line.taskId} told early`);
      }),
      instance.backend.notifier.on(NOTIFY.execution, (x) => check(x, false)),
      instance.backend.notifier.on(NOTIFY.executionEnd, (x) => check(x, true)),
    ];
    try {
      const created = await instance.createExecution(flow.namespace, flow.id);
      const ended = await instance.waitForEnd(created.id, 20_000);
      expect(ended.state.current).toBe("SUCCESS");
      // what waitForEnd returned is on disk
      expect(instance.executions.get(created.id)!.execution.state.current).toBe("SUCCESS");
    } finally {
      for (const unsubscribe of off) unsubscribe();
    }
    expect(mismatches).toEqual([]);
    expect(notified).toBeGreaterThan(0);
    expect(endNotified).toBe(1);
    expect(lines).toBeGreaterThanOrEqual(20);
  });

  itSql("redoes a group whose commit was rolled back from the database, and ends the execution correctly", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const tasks = 12;
    const { flow } = await instance.deploy(chain("redo", tasks));
    const db = instance.db;
    // the commit that ends the execution fails once (not for lack of space): the whole group is
    // rolled back, its steps discarded, and its messages handled again from what is on disk
    const refused = refuseWrites(
      instance,
      "BEFORE UPDATE ON executions WHEN NEW.flow_id = 'redo' AND NEW.state = 'SUCCESS'",
      1,
    );
    let ends = 0;
    const off = instance.backend.notifier.on(NOTIFY.executionEnd, () => ends++);
    try {
      const created = await instance.createExecution(flow.namespace, flow.id);
      const ended = await instance.waitForEnd(created.id, 20_000);
      expect(refused.count).toBe(1);
      expect(ended.state.current).toBe("SUCCESS");
      const stored = instance.executions.get(created.id)!;
      expect(stored.finished).toBe(true);
      expect(states(stored.execution)).toEqual(Array.from({ length: tasks }, (_, i) => [`t${i}`, "SUCCESS"]));
      // every task's line is on disk (a task whose outcome was rolled back ran again)
      const lines = instance.logs.find({ executionId: created.id }).map((l) => l.message);
      for (let i = 0; i < tasks; i++) expect(lines).toContain(`line t${i}`);
      expect(db.prepare("SELECT COUNT(*) AS n FROM queue").get()).toEqual({ n: 0 });
      expect(ends).toBe(1);
    } finally {
      off();
    }
  });

  it("steps a burst a batch at a time: its first executions end several commits before its last", async () => {
    test = await openTestInstance({ overrides: { executor: { fetchLimit: 3 } } });
    const { instance } = test;
    const { flow } = await instance.deploy(chain("burst", 1));
    const transactions = countTransactions(instance.backend);
    // the commit each end was announced after
    const endedAfter = new Set<number>();
    const off = instance.backend.notifier.on(NOTIFY.executionEnd, (x) => {
      if ((x as Execution).flowId === "burst") endedAfter.add(transactions.count);
    });
    try {
      const created = await Promise.all(
        Array.from({ length: 150 }, () => instance.createExecution(flow.namespace, flow.id)),
      );
      for (const x of created) {
        expect((await instance.waitForEnd(x.id, 20_000)).state.current).toBe("SUCCESS");
        // a job's outcome is stepped whole: its line written once, its row acknowledged once
        const lines = (await instance.backend.logs.find({ executionId: x.id })).map((l) => l.message);
        expect(lines.filter((l) => l === "line t0")).toHaveLength(1);
      }
    } finally {
      off();
    }
    // 150 executions handed over at once, 3 messages a batch: not one commit for all of them
    expect(endedAfter.size).toBeGreaterThanOrEqual(5);
    expect(await instance.backend.queue.claimed("worker")).toEqual([]);
  });

  it("keeps a long task's job on disk, claimed, while it runs past the group's commit", async () => {
    test = await openTestInstance();
    const { instance } = test;
    const { backend } = instance;
    const { flow } = await instance.deploy(`id: slow
namespace: unit.pipeline
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: one
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.3S
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.first.value }}"
`);
    const created = await instance.createExecution(flow.namespace, flow.id);
    // the sleeping task is RUNNING on disk and its job claimed by this open (it can still renew it)
    await eventually(async () =>
      (await backend.executions.get(created.id))?.execution.taskRunList[1]?.state.current === "RUNNING"
        ? true
        : undefined,
    );
    const jobs = await backend.queue.claimed("worker");
    expect(jobs.map((m) => m.key)).toEqual([created.id]);
    expect(await backend.queue.extend([jobs[0]!.seq], backend.owner, 60_000)).toBe(1);
    const ended = await instance.waitForEnd(created.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(ended.taskRunList[2]!.outputs).toEqual({ value: "one" });
    expect(await backend.queue.claimed("worker")).toEqual([]);
    expect(await backend.queue.hasKey(created.id)).toBe(false);
  });

  it("closes mid-chain with nothing lost: the next open resumes the execution from what was committed", async () => {
    const home = mkdtempSync(join(tmpdir(), "saker-pipeline-"));
    try {
      test = await openTestInstance({ home });
      const source = `id: resumed
namespace: unit.pipeline
tasks:
${logTaskItems(8)}  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.5S
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "line after"
`;
      const { flow } = await test.instance.deploy(source);
      const created = await test.instance.createExecution(flow.namespace, flow.id);
      const running = async () =>
        (await test!.instance.backend.executions.get(created.id))!.execution.taskRunList.some(
          (t) => t.taskId === "wait" && t.state.current === "RUNNING",
        );
      while (!(await running())) await new Promise((resolve) => setTimeout(resolve, 5));
      await test.close({ keepDatabase: true });
      test = undefined;

      test = await openTestInstance({ home });
      const ended = await test.instance.waitForEnd(created.id, 20_000);
      expect(ended.state.current).toBe("SUCCESS");
      const lines = (await test.instance.backend.logs.find({ executionId: created.id })).map((l) => l.message);
      // the tasks committed before the close ran once; the interrupted one again, then the last
      for (let i = 0; i < 8; i++) expect(lines.filter((l) => l === `line t${i}`)).toHaveLength(1);
      expect(lines.filter((l) => l === "line after")).toHaveLength(1);
      expect(await test.instance.backend.queue.hasKey(created.id)).toBe(false);
    } finally {
      await test?.close();
      test = undefined;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
