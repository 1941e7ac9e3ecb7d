import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../testing/services.ts";
import type { Backend } from "../backend.ts";
import type { Execution } from "../../model/execution.ts";
import type { WorkerJob } from "../../executor/types.ts";
import { migrate, PG_MIGRATIONS } from "./migrations.ts";
import { PostgresBackend } from "./postgresBackend.ts";
import { createTestDatabase, type TestDatabase } from "./testDatabase.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

const job = (key: string) => ({ topic: "worker" as const, key, payload: { key } });
const tick = () => new Promise((resolve) => setImmediate(resolve));
const keys = async (backend: Backend) =>
  (await backend.queue.claim<{ key: string }>("worker", 1000, "reader", 60_000)).map((m) => m.key);

function execution(id: string, runs: number, state = "RUNNING"): Execution {
  return {
    id,
    namespace: "company.team",
    flowId: "f",
    flowRevision: 1,
    state: { current: state, histories: [], startDate: "2026-01-01T00:00:00.000Z" },
    labels: [],
    inputs: {},
    taskRunList: Array.from({ length: runs }, (_, i) => ({
      id: `r${i}`,
      executionId: id,
      namespace: "company.team",
      flowId: "f",
      taskId: `t${i}`,
      state: { current: "SUCCESS", histories: [] },
      attempts: [],
      outputs: { n: i },
    })),
  } as unknown as Execution;
}

describe.skipIf(!up)("PostgresBackend", () => {
  let database: TestDatabase;
  let a: PostgresBackend;
  let b: PostgresBackend;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await PostgresBackend.open({ url: database.url });
    b = await PostgresBackend.open({ url: database.url });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  /** Empties the queue between tests (they share the database). */
  const emptyQueue = () => a.pool.query("DELETE FROM queue");

  it("commits what fn wrote, and rolls all of it back when fn throws", async () => {
    await emptyQueue();
    await a.transaction(async (tx) => {
      await tx.queue.send([job("a")]);
      await tx.logs.append([{ namespace: "rb", flowId: "f", level: "INFO", message: "kept", timestamp: "t" }]);
    });
    await expect(
      a.transaction(async (tx) => {
        await tx.queue.send([job("b")]);
        await tick();
        await tx.logs.append([{ namespace: "rb", flowId: "f", level: "INFO", message: "lost", timestamp: "t" }]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await keys(b)).toEqual(["a"]);
    expect((await b.logs.find({ namespace: "rb" })).map((l) => l.message)).toEqual(["kept"]);
  });

  it("hides a transaction's writes from the others until it commits", async () => {
    await emptyQueue();
    let seenInside: boolean | undefined;
    await a.transaction(async (tx) => {
      await tx.queue.send([job("pending")]);
      seenInside = await b.queue.hasKey("pending");
    });
    expect(seenInside).toBe(false);
    expect(await b.queue.hasKey("pending")).toBe(true);
  });

  it("runs a process's transactions one after the other, reuses it when nested, refuses it after its end", async () => {
    await emptyQueue();
    const order: string[] = [];
    const run = (name: string) =>
      a.transaction(async (tx) => {
        order.push(`${name} begin`);
        await tx.queue.send([job(name)]);
        await tick();
        order.push(`${name} end`);
      });
    await Promise.all([run("one"), run("two")]);
    expect(order).toEqual(["one begin", "one end", "two begin", "two end"]);
    await expect(
      a.transaction(async (tx) => {
        await tx.transaction(async (inner) => inner.queue.send([job("nested")]));
        throw new Error("outer fails");
      }),
    ).rejects.toThrow("outer fails");
    let leaked: Backend | undefined;
    await a.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.queue.send([job("late")])).rejects.toThrow("after its end");
    expect(await keys(a)).toEqual(["one", "two"]);
  });

  it("never hands a message to two processes claiming at once", async () => {
    await emptyQueue();
    await a.queue.send(Array.from({ length: 300 }, (_, i) => job(`m${i}`)));
    const claims: Promise<{ seq: number }[]>[] = [];
    for (let round = 0; round < 20; round++) {
      claims.push(a.queue.claim("worker", 10, a.owner, 60_000), b.queue.claim("worker", 10, b.owner, 60_000));
    }
    const seqs = (await Promise.all(claims)).flat().map((m) => m.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.length).toBe(300);
  });

  it("leases claims: extended by their owner only, reaped once expired or when the owner is gone", async () => {
    await emptyQueue();
    await a.queue.send([job("x"), job("y"), job("z")]);
    const [x, y, z] = await a.queue.claim<{ key: string }>("worker", 3, "p1", 1);
    expect(await b.queue.extend([x!.seq, y!.seq], "p2", 60_000)).toBe(0);
    expect(await a.queue.extend([x!.seq], "p1", 60_000)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // y and z lapsed; x was renewed
    expect(await b.queue.reapExpired()).toBe(2);
    expect((await b.queue.claim<{ key: string }>("worker", 10, "p2", 60_000)).map((m) => m.key)).toEqual(["y", "z"]);
    expect((await a.queue.claimed("worker")).length).toBe(3);
    // p1 is not among the living: its claim goes, p2's stay
    expect(await a.queue.reapExpired({ aliveOwners: ["p2"] })).toBe(1);
    expect((await a.queue.claim<{ key: string }>("worker", 10, "p3", 60_000)).map((m) => m.key)).toEqual(["x"]);
    await a.queue.release(z!.seq, Date.now() + 60_000);
    expect(await a.queue.nextAvailable("worker")).toBeGreaterThan(Date.now());
    expect(await a.queue.hasKey("z")).toBe(true);
    expect(await a.queue.dropPending("worker", "z")).toBe(1);
    expect(await a.queue.dropAll("worker", "x")).toBe(1);
    await a.queue.ack([y!.seq]);
    expect(await a.queue.hasKey("y")).toBe(false);
  });

  it("sends messages already claimed, with their sequence numbers in order", async () => {
    await emptyQueue();
    const sent = await a.transaction((tx) => tx.queue.sendClaimed([job("c1"), job("c2"), job("c3")], a.owner, 60_000));
    expect(sent.map((m) => m.key)).toEqual(["c1", "c2", "c3"]);
    expect(sent[0]!.seq).toBeLessThan(sent[1]!.seq);
    expect(await b.queue.claim("worker", 10, b.owner, 60_000)).toEqual([]);
    expect((await b.queue.claimed<{ key: string }>("worker")).map((m) => [m.seq, m.payload.key])).toEqual(
      sent.map((m) => [m.seq, m.key]),
    );
  });

  it("knows which processes are alive", async () => {
    expect((await a.aliveOwners()).sort()).toEqual([a.owner, b.owner].sort());
  });

  it("writes only the task runs that changed, and reads back what was written", async () => {
    const written: string[] = [];
    const off = a.executions.onWrite((id) => written.push(id));
    const x = execution("x1", 3);
    await a.transaction((tx) => tx.executions.insert({ execution: x, executorState: {} as never, finished: false }));
    const loaded = (await b.executions.load("x1"))!;
    expect(loaded.stored.execution).toEqual(x);
    expect(loaded.runs).toHaveLength(3);
    // change one run, drop none: only that one is written
    const next = { ...x, taskRunList: [...x.taskRunList] };
    next.taskRunList[1] = { ...next.taskRunList[1]!, outputs: { n: 42 } };
    const before = await a.pool.query<{ xmin: string; position: number }>(
      "SELECT xmin::text, position FROM task_runs WHERE execution_id = 'x1' ORDER BY position",
    );
    const runs = await a.executions.update(next, {} as never, true, loaded.runs);
    const after = await a.pool.query<{ xmin: string; position: number }>(
      "SELECT xmin::text, position FROM task_runs WHERE execution_id = 'x1' ORDER BY position",
    );
    expect(after.rows.map((r, i) => r.xmin !== before.rows[i]!.xmin)).toEqual([false, true, false]);
    expect(runs).toHaveLength(3);
    expect((await b.executions.get("x1"))!.execution.taskRunList[1]!.outputs).toEqual({ n: 42 });
    expect(await b.executions.status("x1")).toEqual({ state: "RUNNING", finished: true });
    // fewer runs: the extra rows go
    await a.executions.update({ ...next, taskRunList: next.taskRunList.slice(0, 1) }, {} as never, true, runs);
    expect((await b.executions.get("x1"))!.execution.taskRunList).toHaveLength(1);
    expect(written).toEqual(["x1", "x1", "x1"]);
    off();
  });

  it("sends a transaction's writes together: one statement when it only writes, seen by its own reads, in call order", async () => {
    await emptyQueue();
    const statements: string[] = [];
    const query = pg.Client.prototype.query;
    const spy = function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      if (text) statements.push(text);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    };
    const x = execution("w1", 2);
    pg.Client.prototype.query = spy as never;
    try {
      await a.transaction(async (tx) => {
        await tx.executions.insert({ execution: x, executorState: {} as never, finished: false });
        await tx.queue.send([job("w-a")]);
        await tx.logs.append([{ namespace: "wb", flowId: "f", level: "INFO", message: "one", timestamp: "t" }]);
        await tx.queue.send([job("w-b"), job("w-c")]);
        await tx.logs.append([{ namespace: "wb", flowId: "f", level: "INFO", message: "two", timestamp: "t" }]);
      });
      expect(statements).toHaveLength(1);
      statements.length = 0;
      await a.transaction(async (tx) => {
        // written twice in one transaction: the second write waits for the first's statement
        await tx.executions.update({ ...x, taskRunList: x.taskRunList.slice(0, 1) }, {} as never, false);
        await tx.executions.update({ ...x, state: { ...x.state, current: "SUCCESS" } }, {} as never, true);
        expect((await tx.executions.load("w1"))!.stored.finished).toBe(true);
      });
      expect(statements[0]).toBe("BEGIN");
      expect(statements.at(-1)).toBe("COMMIT");
    } finally {
      pg.Client.prototype.query = query;
    }
    expect((await b.executions.get("w1"))!.execution).toEqual({ ...x, state: { ...x.state, current: "SUCCESS" } });
    expect(await keys(b)).toEqual(["w-a", "w-b", "w-c"]);
    expect((await b.logs.find({ namespace: "wb" })).map((l) => l.message)).toEqual(["one", "two"]);
  });

  it("fails the transaction whose held-back writes fail, keeping none of it", async () => {
    await emptyQueue();
    const x = execution("w2", 1);
    await a.executions.insert({ execution: x, executorState: {} as never, finished: false });
    // the duplicate is found at the commit
    await expect(
      a.transaction(async (tx) => {
        await tx.queue.send([job("lost-1")]);
        await tx.executions.insert({ execution: x, executorState: {} as never, finished: false });
      }),
    ).rejects.toThrow(/duplicate key/);
    // or by the next read, which fails with it
    await expect(
      a.transaction(async (tx) => {
        await tx.queue.send([job("lost-2")]);
        await tx.executions.insert({ execution: x, executorState: {} as never, finished: false });
        await tx.executions.load("w2");
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await keys(b)).toEqual([]);
    // the connection is usable again
    await a.transaction((tx) => tx.queue.send([job("kept")]));
    expect(await keys(b)).toEqual(["kept"]);
  });

  it("counts running executions, finds the oldest queued one and the children", async () => {
    for (const [id, state] of [
      ["q1", "QUEUED"],
      ["q2", "QUEUED"],
      ["r1", "RUNNING"],
      ["p1", "PAUSED"],
    ] as const) {
      await a.executions.insert({
        execution: { ...execution(id, 0, state), flowId: "conc" },
        executorState: {} as never,
        finished: false,
        ...(id === "r1" ? { parentExecutionId: "q1" } : {}),
      });
    }
    expect(await b.executions.countRunning("main", "company.team", "conc", "none")).toBe(2);
    expect(await b.executions.countRunning("main", "company.team", "conc", "r1")).toBe(1);
    expect(await b.executions.oldestQueued("main", "company.team", "conc")).toBe("q1");
    expect(await b.executions.childIds("q1")).toEqual(["r1"]);
    expect(await b.executions.get("missing")).toBeUndefined();
  });

  it("keeps logs, KV entries, trigger states and metrics as the SQLite stores do", async () => {
    await a.logs.append([
      { namespace: "l.a", flowId: "f", executionId: "e", taskId: "t1", level: "DEBUG", message: "one", timestamp: "1" },
      {
        namespace: "l.a.b",
        flowId: "f",
        executionId: "e",
        taskId: "t2",
        level: "ERROR",
        message: "two",
        timestamp: "2",
      },
      { namespace: "l.ab", flowId: "f", executionId: "e", level: "INFO", message: "three", timestamp: "3" },
    ]);
    expect((await b.logs.find({ executionId: "e", minLevel: "INFO" })).map((l) => l.message)).toEqual(["two", "three"]);
    expect((await b.logs.find({ namespacePrefix: "l.a" })).map((l) => l.message)).toEqual(["one", "two"]);
    expect((await b.logs.find({ executionId: "e", taskIds: ["t2"] })).map((l) => l.message)).toEqual(["two"]);
    expect((await b.logs.find({ executionId: "e", newestFirst: true, limit: 2 })).map((l) => l.message)).toEqual([
      "three",
      "two",
    ]);
    const [first] = await b.logs.find({ executionId: "e", limit: 1 });
    expect((await b.logs.find({ executionId: "e", afterSeq: first!.seq })).length).toBe(2);

    const entry = (key: string, value: unknown, expirationDate?: string) => ({
      key,
      value,
      type: "JSON" as const,
      updateDate: "2026-01-01T00:00:00.000Z",
      ...(expirationDate ? { expirationDate } : {}),
    });
    await a.kv.set("main", "kv", entry("b_1", { n: 1 }));
    await a.kv.set("main", "kv", entry("b%", [1]));
    await a.kv.set("main", "kv", entry("old", 1, "2000-01-01T00:00:00.000Z"));
    expect((await b.kv.get("main", "kv", "b_1"))?.value).toEqual({ n: 1 });
    expect((await b.kv.list("main", "kv", "b_")).map((e) => e.key)).toEqual(["b_1"]);
    expect((await b.kv.list("main", "kv")).map((e) => e.key)).toEqual(["b%", "b_1"]);
    expect(await b.kv.get("main", "kv", "old")).toBeUndefined();
    expect(await b.kv.delete("main", "kv", "b%")).toBe(true);
    expect(await b.kv.delete("main", "kv", "b%")).toBe(false);

    const key = { namespace: "tr.a", flowId: "f", triggerId: "t" };
    const put = await a.triggers.put("main", { ...key, nextDate: "2026-01-02" });
    expect(put.updatedDate).toBeTypeOf("string");
    expect(await b.triggers.get("main", key)).toMatchObject({ ...key, nextDate: "2026-01-02" });
    await a.triggers.put("main", { namespace: "tr.a.b", flowId: "g", triggerId: "t" });
    await a.triggers.put("main", { namespace: "tr.ab", flowId: "g", triggerId: "t" });
    expect((await b.triggers.list("main", { namespace: "tr.a" })).map((t) => t.namespace)).toEqual(["tr.a", "tr.a.b"]);
    expect(await b.triggers.delete("main", key)).toBe(true);
    expect(await b.triggers.get("main", key)).toBeUndefined();

    const worker = {
      executionId: "m1",
      taskRunId: "tr1",
      task: { id: "t" },
      flow: { namespace: "n", id: "f" },
    } as unknown as WorkerJob;
    await a.metrics.append(worker, [
      { name: "rows", type: "counter", value: 3, tags: { a: "b" } },
      { name: "took", type: "timer", value: 1.5 },
    ]);
    expect(await b.metrics.byExecution("m1")).toMatchObject([
      { executionId: "m1", taskId: "t", taskRunId: "tr1", name: "rows", type: "counter", value: 3, tags: { a: "b" } },
      { name: "took", type: "timer", value: 1.5 },
    ]);
  });

  it("updates a trigger's state under the row's lock: concurrent updates from two processes lose nothing", async () => {
    const key = { namespace: "tr.lock", flowId: "f", triggerId: "t" };
    const increment = (backend: PostgresBackend) =>
      backend.triggers.update("main", key, (current) => ({ ...current, n: Number(current.n ?? 0) + 1 }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 === 0 ? a : b)));
    expect(await a.triggers.get("main", key)).toMatchObject({ ...key, n: 20 });
    // a change that throws writes nothing; inside a transaction the update is part of it
    await expect(
      a.triggers.update("main", key, () => {
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    await expect(
      a.transaction(async (tx) => {
        await tx.triggers.update("main", key, (current) => ({ ...current, n: 99 }));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect((await b.triggers.get("main", key))?.n).toBe(20);
  });

  it("hears a notification sent by another process, and its own at once", async () => {
    await a.notifier.drain();
    const heardByB: unknown[] = [];
    const heardByA: unknown[] = [];
    const offB = b.notifier.on("execution", (p) => heardByB.push(p));
    const offA = a.notifier.on("execution", (p) => heardByA.push(p));
    a.notifier.notify("execution", { id: "x", state: "RUNNING" });
    expect(heardByA).toEqual([{ id: "x", state: "RUNNING" }]); // from memory, at once
    // too large for NOTIFY: the other process gets the ids
    a.notifier.notify("execution", { id: "big", blob: "x".repeat(10_000) });
    await expect.poll(() => heardByB.length, { timeout: 5000 }).toBe(2);
    expect(heardByB).toEqual([
      { id: "x", state: "RUNNING" },
      { id: "big", reduced: true },
    ]);
    expect(heardByA).toHaveLength(2); // not twice
    offA();
    offB();
  });

  it("listens again after its connection was cut", async () => {
    const heard: unknown[] = [];
    const off = b.notifier.on("queue:worker", (p) => heard.push(p ?? "wake"));
    const listener = b.notifier.listener!;
    const pid = (await listener.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    await a.pool.query("SELECT pg_terminate_backend($1)", [pid]);
    await expect.poll(() => b.notifier.listening && b.notifier.listener !== listener, { timeout: 5000 }).toBe(true);
    a.notifier.notify("queue:worker");
    await expect.poll(() => heard.length, { timeout: 5000 }).toBe(1);
    off();
  });
});

describe.skipIf(!up)("PostgreSQL migrations", () => {
  it("are applied once, by one of several processes starting together, in the schema asked for", async () => {
    const database = await createTestDatabase();
    try {
      const backends = await Promise.all(
        [1, 2, 3].map(() => PostgresBackend.open({ url: database.url, schema: "saker_x" })),
      );
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ version: number }>("SELECT version FROM saker_x.saker_migrations");
        expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
        // again: nothing to do
        expect(await migrate(client, "saker_x")).toEqual([]);
        const tables = await client.query<{ n: string }>(
          "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'queue'",
        );
        expect(tables.rows[0]!.n).toBe("0");
      } finally {
        await client.end();
      }
      for (const backend of backends) await backend.close();
    } finally {
      await database.drop();
    }
  });

  it("refuses a bad schema name and names an unreachable server without its password", async () => {
    await expect(PostgresBackend.open({ url: "postgres://u:secret@127.0.0.1:5432/x", schema: "a-b" })).rejects.toThrow(
      /not a plain SQL identifier/,
    );
    const error = await PostgresBackend.open({ url: "postgres://u:secret@127.0.0.1:1/x" }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Unable to connect to the PostgreSQL database at postgres:\/\/u:\*\*\*@/);
    expect((error as Error).message).not.toContain("secret");
  });
});
