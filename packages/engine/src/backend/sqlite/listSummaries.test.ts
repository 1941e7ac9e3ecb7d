import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Execution } from "../../model/execution.ts";
import { openDatabase } from "./database.ts";
import { ExecutionStore, executionSummary } from "./executionStore.ts";
import { FlowStore } from "./flowStore.ts";
import { MIGRATIONS } from "./migrations.ts";
import { SqliteQueue } from "./sqliteQueue.ts";

const work = mkdtempSync(join(tmpdir(), "saker-summaries-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function execution(id: string, second: number, labels: { key: string; value: string }[] = []): Execution {
  const state = {
    current: "SUCCESS" as const,
    histories: [],
    duration: "PT0S",
    startDate: `2026-01-01T00:00:${String(second).padStart(2, "0")}.000Z`,
  };
  return {
    id,
    namespace: "ns",
    flowId: "f",
    flowRevision: 1,
    taskRunList: [
      {
        id: `${id}-a`,
        executionId: id,
        namespace: "ns",
        flowId: "f",
        taskId: "a",
        outputs: { value: "x".repeat(10_000) },
        state,
      },
      { id: `${id}-b`, executionId: id, namespace: "ns", flowId: "f", taskId: "b", outputs: null, state },
    ],
    outputs: { out: "y".repeat(10_000) },
    labels,
    state,
    originalId: id,
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: state.startDate },
  } as Execution;
}

describe("execution summaries", () => {
  it("store each task run's summary as its text without its outputs, wherever its outputs sit", () => {
    const store = new ExecutionStore(openDatabase(":memory:"));
    const x = execution("runs", 1);
    const state = x.taskRunList[0]!.state;
    const nested = { outputs: { value: "same" }, text: '"outputs":{"value":"same"} \\"' };
    x.taskRunList = [
      // outputs first, last, alone, after a value holding the same entry, nested in themselves
      { outputs: { value: "same" }, id: "r1", executionId: "runs", namespace: "ns", flowId: "f", taskId: "a", state },
      { id: "r2", executionId: "runs", namespace: "ns", flowId: "f", taskId: "a", state, outputs: { value: "same" } },
      { outputs: { value: "same" } } as never,
      { assets: nested, id: "r4", taskId: "a", outputs: { value: "same" }, state } as never,
      { id: "r5", value: '"outputs":{"value":"same"}', taskId: "a", outputs: nested, state } as never,
      { id: "r6", taskId: "a", outputs: null, state } as never,
    ];
    store.insert({ execution: x, executorState: { dispatched: [] }, finished: false });
    const stored = store.text("runs")!.summary.taskRunList;
    expect(stored).toEqual(
      x.taskRunList.map((run) => {
        const { outputs: _outputs, ...rest } = run;
        return JSON.parse(JSON.stringify(rest)) as unknown;
      }),
    );
  });

  it("leave every output out and keep the rest", () => {
    const x = execution("e1", 1);
    const summary = executionSummary(x);
    expect(summary.outputs).toBeUndefined();
    expect(summary.taskRunList.map((r) => "outputs" in r)).toEqual([false, false]);
    expect(summary.taskRunList.map((r) => r.taskId)).toEqual(["a", "b"]);
    expect({ ...summary, taskRunList: [] }).toEqual({ ...x, outputs: undefined, taskRunList: [] });
    expect(x.taskRunList[0]!.outputs).not.toBeNull();
  });

  it("page in SQL and answer summaries or whole executions", () => {
    const store = new ExecutionStore(openDatabase(":memory:"));
    for (let i = 0; i < 7; i++)
      store.insert({
        execution: execution(`e${i}`, i, i % 2 ? [{ key: "odd", value: "yes" }] : []),
        executorState: { dispatched: [] },
        finished: true,
      });
    const page = store.search({ tenantId: "main", size: 3, page: 2, summary: true });
    expect(page.total).toBe(7);
    expect(page.results.map((x) => x.id)).toEqual(["e3", "e2", "e1"]);
    expect(page.results[0]!.taskRunList[0]!.outputs).toBeUndefined();
    const whole = store.search({ tenantId: "main", size: 1, sort: "asc" });
    expect(whole.results[0]!.taskRunList[0]!.outputs).toEqual({ value: "x".repeat(10_000) });
    expect(store.search({ tenantId: "main", size: 3, page: 4 }).results).toEqual([]);
    const odd = store.search({ tenantId: "main", labels: { odd: "yes" }, size: 2, summary: true });
    expect(odd.total).toBe(3);
    expect(odd.results.map((x) => x.id)).toEqual(["e5", "e3"]);

    const updated = { ...execution("e6", 6), outputs: { out: "changed" } };
    store.update(updated, { dispatched: [] }, true);
    expect(store.search({ tenantId: "main", size: 1, summary: true }).results[0]!.outputs).toBeUndefined();
    expect(store.get("e6")!.execution.outputs).toEqual({ out: "changed" });
  });
});

describe("an execution's stored text", () => {
  it("is the document with its task runs, and tells a deleted execution", () => {
    const store = new ExecutionStore(openDatabase(":memory:"));
    const x = execution("t1", 1);
    store.insert({ execution: x, executorState: { dispatched: [] }, finished: true });
    const stored = store.jsonText("t1")!;
    expect(stored.json).toBe(store.text("t1")!.json);
    expect(JSON.parse(stored.json)).toEqual(JSON.parse(JSON.stringify(x)));
    expect(stored.deleted).toBe(false);
    store.update({ ...x, deleted: true }, { dispatched: [] }, true);
    expect(store.jsonText("t1")!.deleted).toBe(true);
    expect(store.jsonText("missing")).toBeUndefined();
  });
});

describe("task run rows", () => {
  it("write only the task runs that changed, and read back the whole execution", () => {
    const db = openDatabase(":memory:");
    const store = new ExecutionStore(db);
    const x = execution("r1", 1);
    store.insert({ execution: x, executorState: { dispatched: [] }, finished: false });
    const loaded = store.load("r1")!;
    expect(loaded.stored.execution).toEqual(JSON.parse(JSON.stringify(x)));
    expect(loaded.runs).toHaveLength(2);

    const changes = () => (db.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
    const working = loaded.stored.execution;
    working.taskRunList[1]!.outputs = { value: "b" };
    working.taskRunList.push({ ...working.taskRunList[0]!, id: "r1-c", taskId: "c", outputs: null });
    const before = changes();
    const runs = store.update(working, { dispatched: [] }, false, loaded.runs);
    // the execution's row, the changed run and the new one: not the unchanged 10 kB one
    expect(changes() - before).toBe(3);
    expect(store.get("r1")!.execution).toEqual(JSON.parse(JSON.stringify(working)));
    expect(store.text("r1")!.summary.taskRunList.map((r) => "outputs" in r)).toEqual([false, false, false]);

    // fewer task runs (a restart can drop some): the extra rows go, with or without `previous`
    working.taskRunList.pop();
    store.update(working, { dispatched: [] }, false, runs);
    expect(store.get("r1")!.execution.taskRunList.map((r) => r.id)).toEqual(["r1-a", "r1-b"]);
    working.taskRunList.pop();
    store.update(working, { dispatched: [] }, true);
    expect(store.get("r1")!.execution.taskRunList.map((r) => r.id)).toEqual(["r1-a"]);

    const seen: string[] = [];
    store.onWrite((id) => seen.push(id));
    expect(store.delete("r1")).toBe(true);
    expect(seen).toEqual(["r1"]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM task_runs").get()).toEqual({ n: 0 });
    expect(store.get("r1")).toBeUndefined();
  });
});

describe("execution rows", () => {
  it("write the state, dates and finished flag when they change, and only then", () => {
    const db = openDatabase(":memory:");
    const store = new ExecutionStore(db);
    const x = execution("s1", 1);
    x.state = { ...x.state, current: "RUNNING" };
    store.insert({ execution: x, executorState: { dispatched: [] }, finished: false });
    const row = () =>
      db.prepare("SELECT state, start_date, end_date, finished, flow_revision FROM executions WHERE id = 's1'").get();
    x.labels = [{ key: "step", value: "1" }];
    x.flowRevision = 2;
    store.update(x, { dispatched: [] }, false);
    expect(row()).toEqual({
      state: "RUNNING",
      start_date: x.state.startDate,
      end_date: null,
      finished: 0,
      flow_revision: 2,
    });
    expect(store.get("s1")!.execution.labels).toEqual([{ key: "step", value: "1" }]);
    const ended = { ...x, state: { ...x.state, current: "SUCCESS" as const, endDate: "2026-01-01T00:01:00.000Z" } };
    store.update(ended, { dispatched: [] }, true);
    expect(row()).toEqual({
      state: "SUCCESS",
      start_date: x.state.startDate,
      end_date: "2026-01-01T00:01:00.000Z",
      finished: 1,
      flow_revision: 2,
    });
    expect(store.unfinishedIds()).toEqual([]);
    // a restart: running again, not finished
    const restarted = { ...ended, state: { ...ended.state, current: "RESTARTED" as const, endDate: undefined } };
    store.update(restarted, { dispatched: [] }, false);
    expect(row()).toMatchObject({ state: "RESTARTED", end_date: null, finished: 0 });
    expect(store.unfinishedIds()).toEqual(["s1"]);
    expect(store.status("s1")).toEqual({ state: "RESTARTED", finished: false });
  });
});

describe("migration 2", () => {
  it("fills the summaries of existing executions and the labels of existing flows", () => {
    const file = join(work, "v1.db");
    const old = new Database(file);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)");
    old.exec(MIGRATIONS[0]!.sql);
    old.prepare("INSERT INTO schema_migrations VALUES (1, 'init', '2026-01-01')").run();
    const x = execution("old", 1, [{ key: "team", value: "a" }]);
    old
      .prepare(
        "INSERT INTO executions (id, tenant_id, namespace, flow_id, flow_revision, state, start_date, finished, json, executor_state) VALUES (?, 'main', 'ns', 'f', 1, 'SUCCESS', ?, 1, ?, '{}')",
      )
      .run(x.id, x.state.startDate, JSON.stringify(x));
    const insertFlow = old.prepare(
      "INSERT INTO flows (tenant_id, namespace, id, revision, source, updated) VALUES ('main', 'ns', ?, 1, ?, '2026-01-01')",
    );
    insertFlow.run("listed", "id: listed\nnamespace: ns\nlabels:\n  - key: team\n    value: a\ntasks: []\n");
    insertFlow.run("mapped", "id: mapped\nnamespace: ns\nlabels:\n  team: b\n  n: 1\ntasks: []\n");
    insertFlow.run("broken", "id: broken\n  : [\n");
    old.close();

    const db = openDatabase(file);
    // migration 4 then moved the task runs to rows of their own: the store puts them back
    const store = new ExecutionStore(db);
    expect(store.text("old")!.summary).toEqual(JSON.parse(JSON.stringify(executionSummary(x))));
    expect(store.get("old")!.execution).toEqual(JSON.parse(JSON.stringify(x)));
    expect(JSON.parse(store.text("old")!.json)).toEqual(JSON.parse(JSON.stringify(x)));
    const view = db.prepare("SELECT json FROM execution_documents WHERE id = 'old'").get() as { json: string };
    expect(JSON.parse(view.json)).toEqual(JSON.parse(JSON.stringify(x)));
    expect(db.prepare("SELECT COUNT(*) AS n FROM task_runs WHERE execution_id = 'old'").get()).toEqual({
      n: x.taskRunList.length,
    });
    const flows = new FlowStore(db).summaries("main");
    expect(Object.fromEntries(flows.map((f) => [f.id, f.labels]))).toEqual({
      broken: [],
      listed: [{ key: "team", value: "a" }],
      mapped: [
        { key: "team", value: "b" },
        { key: "n", value: "1" },
      ],
    });
    expect(flows.every((f) => !("source" in f))).toBe(true);
    db.close();
  });
});

describe("migration 6", () => {
  it("moves the task runs to a rowid table and changes the queue's indexes, keeping every row readable", () => {
    const file = join(work, "v5.db");
    const old = new Database(file);
    old.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 5)) {
      old.exec(migration.sql);
      migration.backfill?.(old);
      old.prepare("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01')").run(migration.version, migration.name);
    }
    // written as version 5's store wrote them
    const x = execution("v5", 1);
    const { taskRunList, ...head } = x;
    const { outputs: _outputs, ...headSummary } = head;
    old
      .prepare(
        "INSERT INTO executions (id, tenant_id, namespace, flow_id, flow_revision, state, start_date, finished, json, summary, executor_state) VALUES (?, 'main', 'ns', 'f', 1, 'SUCCESS', ?, 0, ?, ?, '{\"dispatched\":[]}')",
      )
      .run(x.id, x.state.startDate, JSON.stringify(head), JSON.stringify(headSummary));
    taskRunList.forEach((run, i) => {
      const { outputs: _runOutputs, ...runSummary } = run;
      old
        .prepare("INSERT OR REPLACE INTO task_runs (execution_id, position, json, summary) VALUES (?, ?, ?, ?)")
        .run(x.id, i, JSON.stringify(run), JSON.stringify(runSummary));
    });
    old
      .prepare("INSERT INTO queue (topic, key, payload, available_at) VALUES ('executor', 'v5', '{\"type\":\"x\"}', 0)")
      .run();
    old.close();

    const db = openDatabase(file, { checkpointThread: false });
    const store = new ExecutionStore(db);
    expect(store.get("v5")!.execution).toEqual(JSON.parse(JSON.stringify(x)));
    expect(store.text("v5")!.summary).toEqual(JSON.parse(JSON.stringify(executionSummary(x))));
    const view = db.prepare("SELECT json FROM execution_documents WHERE id = 'v5'").get() as { json: string };
    expect(JSON.parse(view.json)).toEqual(JSON.parse(JSON.stringify(x)));
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'queue'")
      .pluck()
      .all();
    expect(indexes).toEqual(["queue_ready"]);
    const queue = new SqliteQueue(db);
    expect(queue.hasKey("v5")).toBe(true);
    expect(queue.claim("executor", 10, "me", 1000, 1).map((m) => m.key)).toEqual(["v5"]);
    expect(queue.claimed("executor").map((m) => m.key)).toEqual(["v5"]);
    expect(queue.dropPending("executor", "v5")).toBe(0);
    expect(queue.dropAll("executor", "v5")).toBe(1);
    expect(queue.hasKey("v5")).toBe(false);

    // written again on the new table: a changed run in place, a new one, then fewer
    const loaded = store.load("v5")!;
    const working = loaded.stored.execution;
    working.taskRunList[1]!.outputs = { value: "b" };
    working.taskRunList.push({ ...working.taskRunList[0]!, id: "v5-c", taskId: "c", outputs: null });
    const rowids = () => db.prepare("SELECT rowid FROM task_runs ORDER BY position").pluck().all() as number[];
    const before = rowids();
    store.update(working, { dispatched: [] }, false, loaded.runs);
    expect(rowids().slice(0, 2)).toEqual(before);
    expect(store.get("v5")!.execution).toEqual(JSON.parse(JSON.stringify(working)));
    working.taskRunList.splice(1);
    store.update(working, { dispatched: [] }, true);
    expect(store.get("v5")!.execution.taskRunList.map((r) => r.id)).toEqual(["v5-a"]);
    db.close();
  });
});
