/**
 * A worker job's outcome handed to the executor of the same process unsaved (`WorkerBundle`): the
 * executor's step writes its logs and metrics and acknowledges the job, so a task costs one commit
 * and its start and result never become queue rows. A step that cannot commit loses nothing: the
 * job stays claimed, and the outcome is written once the step commits.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  countTransactions,
  eventually,
  logTaskItems,
  refuseWrites,
  openTestInstance,
  type TestInstance,
  testBackend,
} from "../testing/testInstance.ts";

/** These tests look at SQLite itself (its statements, a trigger refusing writes). */
const describeSql = testBackend() === "postgres" ? describe.skip : describe;

let test: TestInstance | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

const flow = (id: string, tasks: number) => `id: ${id}
namespace: unit.bundle
tasks:
${logTaskItems(tasks)}  - id: publish
    type: io.kestra.plugin.core.metric.Publish
    metrics:
      - type: counter
        name: rows
        value: 42
`;

/** Records the type of every message inserted in the queue, by topic. */
function recordQueueInserts(test: TestInstance): () => string[] {
  const db = test.instance.db;
  db.exec(`CREATE TEMP TABLE inserted (topic TEXT, type TEXT);
    CREATE TEMP TRIGGER record_inserts AFTER INSERT ON queue
    BEGIN INSERT INTO inserted VALUES (NEW.topic, json_extract(NEW.payload, '$.type')); END`);
  return () =>
    (db.prepare("SELECT topic, type FROM inserted").all() as { topic: string; type: string | null }[]).map(
      (r) => `${r.topic}:${r.type ?? "job"}`,
    );
}

describeSql("worker outcome handed to the executor unsaved", () => {
  it("commits each task once: no start or result row, logs and metrics written with the executor's step", async () => {
    test = await openTestInstance();
    const { instance } = test;
    instance.executor.pipeline = false;
    const tasks = 10;
    const { flow: deployed } = await instance.deploy(flow("chain", tasks));
    const inserts = recordQueueInserts(test);
    const transactions = countTransactions(instance.backend);

    const created = await instance.createExecution(deployed.namespace, deployed.id);
    const ended = await instance.waitForEnd(created.id, 10_000);
    expect(ended.state.current).toBe("SUCCESS");
    expect(ended.taskRunList.map((t) => t.state.histories.map((h) => h.state))).toEqual(
      Array.from({ length: tasks + 1 }, () => ["CREATED", "RUNNING", "SUCCESS"]),
    );
    // one job row per task, and no worker-started or worker-result row at all
    expect(inserts().filter((m) => m.startsWith("executor:worker"))).toEqual([]);
    expect(inserts().filter((m) => m.startsWith("worker:"))).toHaveLength(tasks + 1);
    // one commit per task, plus the creation and the first step (the old path took two per task)
    expect(transactions.count).toBeLessThanOrEqual(tasks + 1 + 3);
    // the task logs and metrics are on disk, each once
    const lines = instance.logs.find({ executionId: created.id }).map((l) => l.message);
    for (let i = 0; i < tasks; i++) expect(lines.filter((l) => l === `line t${i}`)).toHaveLength(1);
    expect(instance.metrics.byExecution(created.id).map((m) => [m.taskId, m.name, m.value])).toEqual([
      ["publish", "rows", 42],
    ]);
    expect(instance.db.prepare("SELECT COUNT(*) AS n FROM queue").get()).toEqual({ n: 0 });
  });

  it("loses nothing when the step holding an outcome cannot commit: it is written once the step commits", async () => {
    test = await openTestInstance();
    const { instance } = test;
    instance.executor.pipeline = false;
    const { flow: deployed } = await instance.deploy(flow("held", 2));
    // The acknowledgement of a job fails, as on a full disk, twice: the executor's step that
    // carries the job's outcome is rolled back and kept for a retry.
    const refused = refuseWrites(instance, "BEFORE DELETE ON queue WHEN OLD.topic = 'worker'", 2, { asDiskFull: true });

    const created = await instance.createExecution(deployed.namespace, deployed.id);
    const ended = await instance.waitForEnd(created.id, 20_000);
    expect(refused.count).toBe(2);
    expect(ended.state.current).toBe("SUCCESS");
    const stored = instance.executions.get(created.id)!.execution;
    expect(stored.taskRunList.map((t) => [t.taskId, t.state.current])).toEqual([
      ["t0", "SUCCESS"],
      ["t1", "SUCCESS"],
      ["publish", "SUCCESS"],
    ]);
    // each task ran once: its outcome was kept, not redone, and its lines written once
    const lines = instance.logs.find({ executionId: created.id }).map((l) => l.message);
    expect(lines.filter((l) => l === "line t0")).toHaveLength(1);
    expect(lines.filter((l) => l === "line t1")).toHaveLength(1);
    expect(instance.metrics.byExecution(created.id)).toHaveLength(1);
    expect(instance.db.prepare("SELECT COUNT(*) AS n FROM queue").get()).toEqual({ n: 0 });
  });

  it("keeps the logs of an outcome whose step fails, and acknowledges its job with the step's messages", async () => {
    test = await openTestInstance();
    const { instance } = test;
    instance.executor.pipeline = false;
    const { flow: deployed } = await instance.deploy(flow("poison", 1));
    // every step after the first fails: the one carrying t0's outcome is dropped as failed
    instance.db.exec(
      "CREATE TEMP TRIGGER refuse_poison BEFORE UPDATE ON executions WHEN OLD.flow_id = 'poison' AND OLD.state = 'RUNNING' " +
        "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
    );
    const created = await instance.createExecution(deployed.namespace, deployed.id);
    const line = () =>
      instance.logs.find({ executionId: created.id }).filter((l) => l.message === "line t0").length || undefined;
    await eventually(line);
    // nothing left claimed or queued: the job was acknowledged with the failed step's messages
    await eventually(() =>
      (instance.db.prepare("SELECT COUNT(*) AS n FROM queue").get() as { n: number }).n === 0 ? true : undefined,
    );
    expect(line()).toBe(1);
    expect(instance.executions.get(created.id)!.execution.state.current).toBe("RUNNING");
  });
});
