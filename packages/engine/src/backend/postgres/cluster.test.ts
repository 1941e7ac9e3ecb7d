import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../testing/services.ts";
import type { ExecutorEvent } from "../../executor/types.ts";
import type { Execution } from "../../model/execution.ts";
import { fenceFailure } from "../fence.ts";
import { Leadership } from "./leadership.ts";
import { checkLiveness, listProcesses, type LivenessSettings } from "./liveness.ts";
import { connectionConfig, PostgresBackend } from "./postgresBackend.ts";
import { createTestDatabase, type TestDatabase } from "./testDatabase.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const settings = (over: Partial<LivenessSettings> = {}): LivenessSettings => ({
  intervalMs: 1000,
  timeoutMs: 5000,
  initialDelayMs: 0,
  restartStrategy: "IMMEDIATELY",
  terminationGracePeriodMs: 60_000,
  ...over,
});

const job = (executionId: string, group?: string) => ({
  topic: "worker" as const,
  key: executionId,
  payload: {
    executionId,
    taskRunId: `tr-${executionId}`,
    attempt: 1,
    flow: { id: "f", namespace: "company.team", revision: 1 },
    task: { id: "t", type: "io.kestra.plugin.core.log.Log", ...(group ? { workerGroup: { key: group } } : {}) },
  },
});
const execution = (id: string) =>
  ({
    id,
    namespace: "company.team",
    flowId: "f",
    flowRevision: 1,
    state: { current: "RUNNING", histories: [], startDate: "2026-01-01T00:00:00.000Z" },
    labels: [],
    inputs: {},
    taskRunList: [],
  }) as unknown as Execution;
const event = (executionId: string) => ({ topic: "executor" as const, key: executionId, payload: { executionId } });

describe.skipIf(!up)("a cluster on PostgreSQL", () => {
  let database: TestDatabase;
  let a: PostgresBackend;
  let b: PostgresBackend;
  let dead = 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await PostgresBackend.open({ url: database.url, process: { roles: ["executor", "worker"], concurrency: 4 } });
    b = await PostgresBackend.open({
      url: database.url,
      process: { roles: ["worker"], workerGroup: "gpu" },
      heartbeatMs: 50,
      onDeclaredDead: () => dead++,
    });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  const emptyQueue = () => a.pool.query("DELETE FROM queue");

  it("gives a worker of a group only its group's jobs, and one without a group only ungrouped jobs", async () => {
    await emptyQueue();
    await a.queue.send([job("x1"), job("x2", "gpu"), job("x3", "other")]);
    expect((await a.queue.claim<{ executionId: string }>("worker", 10, a.owner, 60_000)).map((m) => m.key)).toEqual([
      "x1",
    ]);
    const gpu = await b.queue.claim("worker", 10, b.owner, 60_000, { workerGroup: "gpu" });
    expect(gpu.map((m) => m.key)).toEqual(["x2"]);
    expect(await b.queue.claim("worker", 10, b.owner, 60_000, { workerGroup: "gpu" })).toEqual([]);
  });

  it("never hands the messages of one execution to two executors at once", async () => {
    await emptyQueue();
    await a.queue.send([event("e1"), event("e2")]);
    const first = await a.queue.claim("executor", 1, a.owner, 60_000);
    expect(first.map((m) => m.key)).toEqual(["e1"]);
    // e1 is a's while it holds a claim of it: new messages of e1 wait for a (or for its end)
    await a.queue.send([event("e1")]);
    expect((await b.queue.claim("executor", 10, b.owner, 60_000)).map((m) => m.key)).toEqual(["e2"]);
    expect((await a.queue.claim("executor", 10, a.owner, 60_000)).map((m) => m.key)).toEqual(["e1"]);
    await a.queue.ack([first[0]!.seq]);
    // claims made at once by several processes still never share an execution
    await emptyQueue();
    await a.queue.send(Array.from({ length: 200 }, (_, i) => event(`k${i % 20}`)));
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).queue.claim("executor", 7, `owner${i}`, 60_000)),
    );
    const owners = new Map<string, Set<number>>();
    claims.forEach((messages, i) => {
      for (const m of messages) owners.set(m.key!, (owners.get(m.key!) ?? new Set()).add(i));
    });
    expect([...owners.values()].every((set) => set.size === 1)).toBe(true);
  });

  it("fences a commit whose claims were taken from its owner", async () => {
    await emptyQueue();
    await a.queue.send([event("f1"), event("f2"), event("f3")]);
    const [first, ...rest] = (await a.queue.claim("executor", 10, a.owner, 60_000)).map((m) => m.seq);
    // still its own: acknowledged
    await a.transaction((tx) => tx.queue.ackHeld!([first!], a.owner));
    // declared dead meanwhile: its claims freed, one taken by another executor
    await a.queue.reapExpired({ aliveOwners: [b.owner] });
    await b.queue.claim("executor", 1, b.owner, 60_000);
    const failure = await a
      .transaction(async (tx) => {
        await tx.queue.send([event("f4")]);
        await tx.queue.ackHeld!(rest, a.owner);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(fenceFailure(failure)).toBe("claims-lost");
    // nothing of the commit was written: both rows are still there, one claimed by b, and no f4
    const { rows } = await a.pool.query<{ key: string; claimed_by: string | null }>(
      "SELECT key, claimed_by FROM queue ORDER BY seq",
    );
    expect(rows).toEqual([
      { key: "f2", claimed_by: b.owner },
      { key: "f3", claimed_by: null },
    ]);
  });

  it("fences a commit whose execution another process wrote since the revision it started from", async () => {
    await emptyQueue();
    const x = execution("rev1");
    await a.transaction((tx) => tx.executions.insert({ execution: x, executorState: {} as never, finished: false }));
    const loaded = (await a.executions.load("rev1"))!;
    expect(loaded.revision).toBe(0);
    // written at its revision: the next one
    await a.transaction((tx) => tx.executions.update(x, {} as never, false, loaded.runs, 0));
    expect((await b.executions.load("rev1"))!.revision).toBe(1);
    // another process writes it (any write moves the revision on)
    await b.executions.update({ ...x, labels: [{ key: "by", value: "b" }] }, {} as never, false);
    expect((await a.executions.load("rev1"))!.revision).toBe(2);
    const failed = (write: (tx: typeof a) => Promise<unknown>) =>
      a
        .transaction(async (tx) => {
          await tx.queue.send([event("rev1")]);
          await write(tx as typeof a);
        })
        .then(
          () => undefined,
          (error: unknown) => fenceFailure(error),
        );
    // a commit from revision 1 (a stale copy) fails as a whole: nothing of it is written
    expect(await failed((tx) => tx.executions.update({ ...x, labels: [] }, {} as never, true, undefined, 1))).toBe(
      "written-meanwhile",
    );
    expect(await failed((tx) => tx.executions.fence!("rev1", 1))).toBe("written-meanwhile");
    const stored = (await a.executions.load("rev1"))!;
    expect(stored.stored.execution.labels).toEqual([{ key: "by", value: "b" }]);
    expect(stored.stored.finished).toBe(false);
    expect(await a.queue.size("executor")).toBe(0);
    // from the current revision both pass
    expect(await failed((tx) => tx.executions.fence!("rev1", 2))).toBeUndefined();
    await emptyQueue();
  });

  it("lists the processes with their roles and state", async () => {
    const rows = await listProcesses(a.pool);
    const mine = rows.find((r) => r.owner === b.owner)!;
    expect(mine).toMatchObject({ roles: ["worker"], workerGroup: "gpu", state: "RUNNING", pid: process.pid });
    expect(rows.find((r) => r.owner === a.owner)).toMatchObject({ roles: ["executor", "worker"], concurrency: 4 });
  });

  it("declares a silent process dead and frees its claims by the restart strategy", async () => {
    await emptyQueue();
    const now = Date.now();
    await a.pool.query(
      "INSERT INTO processes (owner, started_at, heartbeat_at, roles, state) VALUES ('gone-w', $1, $1, 'worker', 'RUNNING'), ('gone-x', $1, $1, 'executor', 'RUNNING'), ('gone-n', $1, $1, 'worker', 'RUNNING'), ('gone-g', $1, $1, 'worker', 'RUNNING')",
      [now - 60_000],
    );
    await a.queue.send([job("w1"), job("w2"), job("w3"), event("x1")]);
    await a.queue.claim("worker", 1, "gone-w", 600_000);
    await a.queue.claim("executor", 1, "gone-x", 600_000);
    await a.queue.claim("worker", 1, "gone-g", 600_000);
    const report = await checkLiveness(a.pool, settings({ restartStrategy: "AFTER_TERMINATION_GRACE_PERIOD" }), now);
    expect(report.disconnected.sort()).toEqual(["gone-g", "gone-n", "gone-w", "gone-x"]);
    // the executor's claim at once; the workers' after the grace period
    expect(report.freed).toEqual({ executor: 1, worker: 0, scheduler: 0 });
    expect(report.notRunning).toEqual(["gone-x"]);
    const later = await checkLiveness(a.pool, settings({ terminationGracePeriodMs: 1000 }), now + 2000);
    expect(later.notRunning.sort()).toEqual(["gone-g", "gone-n", "gone-w"]);
    expect(later.freed.worker).toBe(2);
    // NEVER: the job is removed and its task run gets a FAILED result
    await a.pool.query(
      "INSERT INTO processes (owner, started_at, heartbeat_at, roles, state) VALUES ('gone-never', $1, $1, 'worker', 'RUNNING')",
      [now - 60_000],
    );
    await a.pool.query("DELETE FROM queue WHERE topic = 'executor'");
    const [claimed] = await a.queue.claim<{ taskRunId: string }>("worker", 1, "gone-never", 600_000);
    const never = await checkLiveness(a.pool, settings({ restartStrategy: "NEVER" }), now);
    expect(never.failed).toBe(1);
    const [result] = await a.queue.claim<ExecutorEvent>("executor", 1, a.owner, 60_000);
    expect(result!.payload).toMatchObject({
      type: "worker-result",
      state: "FAILED",
      taskRunId: claimed!.payload.taskRunId,
    });
    expect((await a.pool.query("SELECT 1 FROM queue WHERE seq = $1", [claimed!.seq])).rowCount).toBe(0);
  });

  it("tells a process declared dead, which then stops beating", async () => {
    await a.pool.query("UPDATE processes SET state = 'DISCONNECTED' WHERE owner = $1", [b.owner]);
    while (dead === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(dead).toBe(1);
    expect(b.declaredDead).toBe(true);
  });

  it("elects one leader, and another takes over once it is gone", async () => {
    const connection = connectionConfig(database.url, "public");
    const one = new Leadership(connection, "test-lock");
    const two = new Leadership(connection, "test-lock");
    expect(await one.lead()).toBe(true);
    expect(await two.lead()).toBe(false);
    expect(await one.lead()).toBe(true);
    await one.close();
    expect(await two.lead()).toBe(true);
    await two.close();
  });
});
